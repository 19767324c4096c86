"""Server-sent event streams, as mitmproxy stream callables.

mitmproxy calls ``flow.response.stream(chunk)`` for every chunk of a streamed
body and once with ``b""`` at the end, synchronously, inside its event loop: so
these are small, non-blocking state machines. They return a list of pieces,
never ``b""`` for "nothing": mitmproxy 11 frames an empty chunk of a chunked
body as ``0\r\n\r\n``, which ends the body early and cleanly. Chunk
boundaries are wherever the network put them; events end at a blank line (LF,
CRLF or CR line ends).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

# A document (one event's JSON) → the new document, or ``None`` to leave it be.
DocumentMap = Callable[[Any], Any]


def is_event_stream(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "text/event-stream"


@dataclass
class EventBoundaries:
    """Finds where events end in a byte stream, across chunk boundaries.

    An event ends at a blank line after at least one non-blank line; a CR may be
    followed by an LF in the next chunk, so a bare CR is only known at the next
    byte (its boundary may then be offset 0 of the following chunk).
    """

    _line_empty: bool = True
    _event_has_lines: bool = False
    _pending_cr: bool = False

    def ends(self, chunk: bytes) -> Iterator[int]:
        """Offsets just after each event's terminating blank line in ``chunk``."""
        for i, byte in enumerate(chunk):
            if self._pending_cr:
                self._pending_cr = False
                if byte == 0x0A:
                    if self._line_ended():
                        yield i + 1
                    continue
                if self._line_ended():
                    yield i
            if byte == 0x0D:
                self._pending_cr = True
            elif byte == 0x0A:
                if self._line_ended():
                    yield i + 1
            else:
                self._line_empty = False

    def _line_ended(self) -> bool:
        """A line ended; True when it was the blank line that ends an event."""
        blank, self._line_empty = self._line_empty, True
        if not blank:
            self._event_has_lines = True
            return False
        ended, self._event_has_lines = self._event_has_lines, False
        return ended


@dataclass
class Truncator:
    """Pass the body through until ``after_events`` events or ``after_bytes`` bytes, then nothing."""

    after_events: int | None = None
    after_bytes: int | None = None
    sent_bytes: int = 0
    events: int = 0
    cut: bool = False
    _boundaries: EventBoundaries = field(default_factory=EventBoundaries)

    def __post_init__(self) -> None:
        self.cut = self.after_events == 0 or self.after_bytes == 0

    def __call__(self, chunk: bytes) -> list[bytes]:
        if self.cut or not chunk:
            return []
        keep = len(chunk)
        if self.after_bytes is not None:
            keep = min(keep, self.after_bytes - self.sent_bytes)
            self.cut = self.sent_bytes + keep >= self.after_bytes
        elif self.after_events is not None:
            for end in self._boundaries.ends(chunk):
                self.events += 1
                if self.events >= self.after_events:
                    keep, self.cut = end, True
                    break
        self.sent_bytes += keep
        return [chunk[:keep]] if keep else []


@dataclass
class EventRewriter:
    """Rewrite the JSON ``data:`` of every event with ``document_map``; other bytes pass."""

    document_map: DocumentMap
    drop_all: bool = False  # an "empty" body: no event at all
    changed: int = 0
    _buffer: bytes = b""
    _boundaries: EventBoundaries = field(default_factory=EventBoundaries)

    def __call__(self, chunk: bytes) -> list[bytes]:
        if not chunk:  # end of the body: whatever is left is a partial event
            rest, self._buffer = self._buffer, b""
            return [] if self.drop_all or not rest else [rest]
        out: list[bytes] = []
        start = 0
        data = self._buffer + chunk
        offset = len(self._buffer)
        for end in self._boundaries.ends(chunk):
            out.append(self._rewrite(data[start : offset + end]))
            start = offset + end
        self._buffer = data[start:]
        return [] if self.drop_all else [piece for piece in out if piece]

    def _rewrite(self, event: bytes) -> bytes:
        text = event.decode("utf-8", errors="surrogateescape")
        body = text.rstrip("\r\n")
        terminator = text[len(body) :]
        lines = body.splitlines()
        payload = "\n".join(line[5:].removeprefix(" ") for line in lines if line.startswith("data:"))
        if not payload:
            return event
        try:
            document = json.loads(payload)
        except ValueError:
            return event
        new = self.document_map(document)
        if new is None:
            return event
        self.changed += 1
        others = [line for line in lines if not line.startswith("data:")]
        encoded = new if isinstance(new, str) else json.dumps(new, ensure_ascii=False)
        rebuilt = "\n".join([*others, *(f"data: {part}" for part in encoded.split("\n"))])
        return (rebuilt + terminator).encode("utf-8", errors="surrogateescape")
