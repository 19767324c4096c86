"""The chunk relay: a real loopback server behind it, real gaps, bytes unchanged."""

from __future__ import annotations

import asyncio
import time

from harness.faults.chunk_relay import ChunkRelay, pieces

ANSWER = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\ndata: 1\n\ndata: 2\n\ndata: 3\n\n"


def test_pieces_split_after_blank_lines_and_lose_nothing() -> None:
    parts = pieces(ANSWER)
    assert b"".join(parts) == ANSWER
    assert parts[1:] == [b"data: 1\n\n", b"data: 2\n\n", b"data: 3\n\n"]


async def _relay_once(gap_s: float) -> tuple[bytes, list[float], bytes, int]:
    received_request = b""

    async def origin(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal received_request
        received_request = await reader.readuntil(b"\r\n\r\n")
        writer.write(ANSWER)  # all at once: the relay spaces it out
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(origin, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    relay = ChunkRelay(("127.0.0.1", port), lambda: gap_s)
    relay_port = await relay.start()
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", relay_port), 5)
    writer.write(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
    await writer.drain()
    got, times = b"", [time.monotonic()]
    while chunk := await asyncio.wait_for(reader.read(65_536), 5):
        got += chunk
        times.append(time.monotonic())
    writer.close()
    relay.close()
    server.close()
    return got, times, received_request, relay.pieces_sent


def test_the_relay_forwards_the_request_and_spaces_the_answer() -> None:
    got, times, request, sent = asyncio.run(_relay_once(0.05))
    assert request == b"GET / HTTP/1.1\r\nhost: x\r\n\r\n"
    assert got == ANSWER
    assert sent == 4
    assert times[-1] - times[0] >= 0.15  # three gaps after the headers (a late reader only adds)


def test_a_second_connection_is_refused() -> None:
    async def scenario() -> bool:
        relay = ChunkRelay(("127.0.0.1", 9), lambda: 0.0)
        port = await relay.start()
        first = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.sleep(0.05)
        try:
            await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 1)
            refused = False
        except OSError:
            refused = True
        first[1].close()
        relay.close()
        return refused

    assert asyncio.run(scenario())
