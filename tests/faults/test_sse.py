"""Event boundaries, cuts and rewrites across arbitrary chunk boundaries."""

from __future__ import annotations

import json

import pytest

from harness.faults.sse import EventBoundaries, EventRewriter, Truncator, is_event_stream

STREAM = b'data: {"type": "ack"}\n\ndata: {"type": "token", "token": "a"}\n\ndata: {"type": "done"}\n\n'


def split_every(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def boundaries(chunks: list[bytes]) -> list[list[int]]:
    finder = EventBoundaries()
    return [list(finder.ends(chunk)) for chunk in chunks]


def test_events_end_at_blank_lines_with_any_line_ending() -> None:
    assert boundaries([b"data: a\n\ndata: b\n\n"]) == [[9, 18]]
    assert boundaries([b"data: a\r\n\r\ndata: b\r", b"\n\r\n"]) == [[11], [3]]
    assert boundaries([b"data: a\r\r", b"data: b"]) == [[], [0]]  # a bare CR is known at the next byte
    assert boundaries([b"\n\ndata: a\n", b"\n"]) == [[], [1]]  # blank lines before an event end nothing


@pytest.mark.parametrize("size", [1, 2, 5, 17, 1000])
def test_truncation_after_events_is_exact_whatever_the_chunking(size: int) -> None:
    cut = Truncator(after_events=2)
    sent = b"".join(b"".join(cut(c)) for c in [*split_every(STREAM, size), b""])
    assert sent == STREAM[: STREAM.index(b"\n\n", STREAM.index(b"\n\n") + 2) + 2]
    assert cut.events == 2 and cut.cut


@pytest.mark.parametrize("size", [1, 3, 1000])
def test_truncation_after_bytes(size: int) -> None:
    cut = Truncator(after_bytes=7)
    assert b"".join(b"".join(cut(c)) for c in split_every(STREAM, size)) == STREAM[:7]


def test_nothing_to_send_is_an_empty_list_never_an_empty_chunk() -> None:
    # mitmproxy frames b"" as the final chunk of a chunked body: it would end the stream.
    cut = Truncator(after_events=1)
    assert cut(STREAM) != [] and cut(b"data: more\n\n") == []
    assert EventRewriter(lambda d: None)(b"data: {") == []


def test_truncation_at_zero_sends_nothing() -> None:
    assert Truncator(after_events=0)(STREAM) == []


@pytest.mark.parametrize("size", [1, 4, 1000])
def test_rewriter_maps_each_events_json_and_keeps_the_rest(size: int) -> None:
    def tag(document: object) -> object:
        return {**document, "seen": True} if isinstance(document, dict) else None

    rewrite = EventRewriter(tag)
    data = b"event: x\n" + STREAM + b"data: not json\n\n: comment\n\n"
    out = b"".join(b"".join(rewrite(c)) for c in [*split_every(data, size), b""]).decode()
    events = out.split("\n\n")
    assert events[0] == 'event: x\ndata: {"type": "ack", "seen": true}'
    assert json.loads(events[2].removeprefix("data: ")) == {"type": "done", "seen": True}
    assert "data: not json" in events and ": comment" in events
    assert rewrite.changed == 3


def test_content_types() -> None:
    assert is_event_stream("text/event-stream; charset=utf-8")
    assert not is_event_stream("application/json")
    assert not is_event_stream(None)
