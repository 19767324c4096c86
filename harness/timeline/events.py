"""Timeline events: UI states, toasts, requests, faults fired, telemetry, console.

Events arrive from two threads (Playwright's, the proxy's), so appends are locked;
readers take a snapshot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """One thing that happened.

    ``kind`` is a dotted name (``ui.status``, ``fault.fired``, ``net.request``);
    ``wall_ms`` is milliseconds since the run started in real time, ``virtual_ms``
    the page's (possibly fake) clock when the event came from the page.
    """

    seq: int
    kind: str
    wall_ms: float
    data: dict[str, Any] = field(default_factory=dict)
    virtual_ms: float | None = None
    source: str = "harness"


class Timeline:
    """An append-only, thread-safe event log."""

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self._listeners: list[Callable[[Event], None]] = []

    def now_ms(self) -> float:
        return (time.monotonic() - self._start) * 1000.0

    def add(
        self,
        kind: str,
        data: dict[str, Any] | None = None,
        *,
        virtual_ms: float | None = None,
        source: str = "harness",
    ) -> Event:
        with self._lock:
            event = Event(
                seq=len(self._events),
                kind=kind,
                wall_ms=round(self.now_ms(), 3),
                data=dict(data or {}),
                virtual_ms=virtual_ms,
                source=source,
            )
            self._events.append(event)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)
        return event

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        with self._lock:
            self._listeners.append(listener)

    def events(self, kind: str | None = None) -> list[Event]:
        """A snapshot; ``kind`` matches exactly or as a dotted prefix (``ui``)."""
        with self._lock:
            snapshot = list(self._events)
        if kind is None:
            return snapshot
        return [e for e in snapshot if e.kind == kind or e.kind.startswith(kind + ".")]

    def __len__(self) -> int:
        with self._lock:
            return len(self._events)

    def statuses(self) -> list[str]:
        """The UI status sequence as observed, consecutive duplicates collapsed."""
        return collapse(str(e.data["status"]) for e in self.events("ui.status"))

    def excerpt(self, around: int | None = None, width: int = 12) -> str:
        """A readable slice of the log, for failure messages."""
        events = self.events()
        origin = self.virtual_origin()
        if around is not None:
            events = events[max(0, around - width) : around + width]
        else:
            events = events[-2 * width :]
        return "\n".join(format_event(e, origin) for e in events)

    def virtual_origin(self) -> float | None:
        """The page clock's first reading: virtual times are shown relative to it."""
        return next((e.virtual_ms for e in self.events() if e.virtual_ms is not None), None)


def collapse(values: Iterable[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        if not out or out[-1] != value:
            out.append(value)
    return out


def format_event(event: Event, origin: float | None = None) -> str:
    """One line: wall time, page (virtual) time since the first page event, kind, details."""
    if event.virtual_ms is not None:
        virtual = f" page {event.virtual_ms - (origin or 0):>8.0f}ms"
    else:
        virtual = " " * 16
    details = " ".join(f"{k}={v}" for k, v in event.data.items() if v not in (None, "") and k != "batch")
    if len(details) > 160:
        details = details[:157] + "..."
    return f"  {event.wall_ms:>8.1f}ms{virtual}  {event.kind:<18} {details}"
