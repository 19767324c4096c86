"""A one-connection TCP relay that spaces out the server's bytes: ``delay: {at: chunks}``.

mitmproxy's stream callables run synchronously inside its event loop, so an
addon cannot wait between two chunks there without freezing every connection.
Instead the addon points one flow at a relay of its own, on the same loop: the
relay forwards the request untouched and hands the server's answer back piece
by piece (split after each blank line, so each server-sent event is a piece),
sleeping between pieces with ``asyncio.sleep``. mitmproxy streams what arrives,
so the browser sees the gaps. Bytes are never changed, only delayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.infra.ports import LOOPBACK

_PIECE_END = re.compile(rb"(?<=\n\n)|(?<=\r\n\r\n)")
READ_SIZE = 65_536


def pieces(data: bytes) -> list[bytes]:
    """``data`` split just after each blank line, nothing lost."""
    return [part for part in _PIECE_END.split(data) if part]


@dataclass
class ChunkRelay:
    """Relays one connection to ``origin``, sleeping ``gap_s()`` before every server piece but the first."""

    origin: tuple[str, int]
    gap_s: Callable[[], float]
    pieces_sent: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def start(self) -> int:
        """Listen on an ephemeral loopback port; returns it."""
        self._server = await asyncio.start_server(self._accept, LOOPBACK, 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._server is not None:
            self._server.close()  # one connection per relay: one flow
        self._writers.append(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.origin)
        except OSError:
            writer.close()
            return
        self._writers.append(up_writer)
        forward = asyncio.ensure_future(self._pipe(reader, up_writer, paced=False))
        back = asyncio.ensure_future(self._pipe(up_reader, writer, paced=True))
        self._tasks.update((forward, back))
        await asyncio.wait((forward, back), return_when=asyncio.FIRST_COMPLETED)
        self.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, paced: bool) -> None:
        try:
            while data := await reader.read(READ_SIZE):
                for piece in pieces(data) if paced else [data]:
                    if paced and self.pieces_sent:
                        await asyncio.sleep(self.gap_s())
                    writer.write(piece)
                    await writer.drain()
                    if paced:
                        self.pieces_sent += 1
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def close(self) -> None:
        """Stop listening, cancel both directions and close both sockets (on the relay's loop)."""
        if self._server is not None:
            self._server.close()
        current = asyncio.current_task()
        for task in self._tasks:
            if task is not current:
                task.cancel()
        for writer in self._writers:
            with contextlib.suppress(Exception):
                writer.close()
