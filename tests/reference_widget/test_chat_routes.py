"""``/api/dynamic-ai/chat``: history, send (JSON and SSE), idempotency, limits, upstream failures."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from reference_widget.backend.config import Settings
from reference_widget.backend.storage import Storage
from reference_widget.engine.rules import answer
from tests.reference_widget.conftest import MakeClient, failing_engine, sse_frames

pytestmark = pytest.mark.anyio
CHAT = "/api/dynamic-ai/chat"


def body(message: str = "What are your fees?", session: str = "s1", **extra: Any) -> dict[str, Any]:
    return {"sessionId": session, "message": message, "history": [], **extra}


async def history(api: httpx.AsyncClient, session: str = "s1") -> list[dict[str, str]]:
    response = await api.get(CHAT, params={"sessionId": session})
    assert response.status_code == 200
    messages: list[dict[str, str]] = response.json()["messages"]
    return messages


# -- history --------------------------------------------------------------------


async def test_history_is_the_newest_fifty_oldest_first(api: httpx.AsyncClient, settings: Settings) -> None:
    storage = Storage(settings.db_path)
    for i in range(60):
        storage.append("s1", "user" if i % 2 == 0 else "assistant", f"m{i}")
    response = await api.get(CHAT, params={"sessionId": "s1"})
    assert response.status_code == 200
    messages = response.json()["messages"]
    assert len(messages) == 50
    assert messages[0]["content"] == "m10" and messages[-1]["content"] == "m59"
    assert response.headers["x-request-id"]


async def test_history_of_an_unknown_session_is_empty(api: httpx.AsyncClient) -> None:
    response = await api.get(CHAT, params={"sessionId": str(uuid.uuid4())})
    assert response.json() == {"ok": True, "messages": []}


async def test_history_without_a_session_id_is_a_400_with_a_hint(api: httpx.AsyncClient) -> None:
    response = await api.get(CHAT)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "sessionId is required", "hint": "pass ?sessionId=<uuid>"}
    assert response.headers["x-request-id"]


async def test_regression_history_oldest_fifty_takes_the_oldest(make_client: MakeClient, settings: Settings) -> None:
    storage = Storage(settings.db_path)
    for i in range(60):
        storage.append("s1", "user", f"m{i}")
    api = await make_client(regressions=("history-oldest-fifty",))
    messages = await history(api)
    assert messages[0]["content"] == "m0" and messages[-1]["content"] == "m49"


# -- send: JSON -----------------------------------------------------------------


async def test_send_json_answers_and_stores_question_and_answer(api: httpx.AsyncClient) -> None:
    response = await api.post(CHAT, json=body())
    assert response.status_code == 200
    data = response.json()
    expected = answer("What are your fees?")[1]
    assert data["ok"] is True
    assert data["assistantMessage"] == {"role": "assistant", "content": expected}
    assert data["history"] == [
        {"role": "user", "content": "What are your fees?"},
        {"role": "assistant", "content": expected},
    ]
    assert data["metadata"]["rule"] == "fees"
    assert data["metadata"]["requestId"] == response.headers["x-request-id"]
    assert await history(api) == data["history"]


async def test_the_question_in_history_is_not_stored_again(api: httpx.AsyncClient) -> None:
    # The production widget sends the question in `message` and in `history`.
    question = {"role": "user", "content": "hello"}
    response = await api.post(CHAT, json=body("hello", history=[question]))
    assert response.status_code == 200
    assert [m["role"] for m in await history(api)] == ["user", "assistant"]


# -- send: SSE --------------------------------------------------------------------


async def test_send_stream_frames_ack_tokens_done(api: httpx.AsyncClient) -> None:
    response = await api.post(CHAT, params={"stream": "1"}, json=body("hello"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-request-id"]
    frames = sse_frames(response.text)
    assert frames[0] == {"type": "ack", "requestId": response.headers["x-request-id"]}
    tokens = [f for f in frames[1:-1]]
    assert tokens and all(f["type"] == "token" for f in tokens)
    expected = answer("hello")[1]
    assert "".join(f["token"] for f in tokens) == expected
    # content is cumulative: each frame's content is the previous one plus its token
    running = ""
    for frame in tokens:
        running += frame["token"]
        assert frame["content"] == running
    done = frames[-1]
    assert done["type"] == "done"
    assert done["message"] == {"role": "assistant", "content": expected}
    assert done["history"][-2:] == [{"role": "user", "content": "hello"}, {"role": "assistant", "content": expected}]
    assert done["metadata"]["rule"] == "greeting"


async def test_failure_after_ack_is_an_in_stream_error_event(make_client: MakeClient) -> None:
    engine = failing_engine(lines=[b'{"token": "Hel"}\n', b'{"token": "lo"}\n'], then=httpx.ReadError("reset"))
    api = await make_client(engine)
    response = await api.post(CHAT, params={"stream": "1"}, json=body("hello"))
    assert response.status_code == 200
    frames = sse_frames(response.text)
    assert [f["type"] for f in frames] == ["ack", "token", "token", "error"]
    assert frames[2]["content"] == "Hello"
    error = frames[-1]
    assert error["status"] == 502 and error["requestId"] == response.headers["x-request-id"]
    assert "engine" in error["message"]
    # The question is kept, the half answer is not.
    assert await history(api) == [{"role": "user", "content": "hello"}]


async def test_a_stream_the_engine_ends_early_is_an_error_event(make_client: MakeClient) -> None:
    api = await make_client(failing_engine(lines=[b'{"token": "Hel"}\n']))
    frames = sse_frames((await api.post(CHAT, params={"stream": "1"}, json=body("hello"))).text)
    assert frames[-1]["type"] == "error" and frames[-1]["status"] == 502
    assert "before it was done" in frames[-1]["message"]


async def test_a_read_timeout_after_ack_is_an_error_event_with_504(make_client: MakeClient) -> None:
    api = await make_client(failing_engine(lines=[b'{"token": "Hel"}\n'], then=httpx.ReadTimeout("slow")))
    frames = sse_frames((await api.post(CHAT, params={"stream": "1"}, json=body("hello"))).text)
    assert frames[-1]["type"] == "error" and frames[-1]["status"] == 504


# -- upstream failures before ack ---------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "status"),
    [
        (failing_engine(raises=httpx.ConnectError("refused")), 502),
        (failing_engine(raises=httpx.RemoteProtocolError("reset before response")), 502),
        (failing_engine(raises=httpx.ConnectTimeout("slow connect")), 504),
        (failing_engine(raises=httpx.ReadTimeout("no headers")), 504),
        (failing_engine(status=500), 502),
    ],
    ids=["refused", "reset", "connect-timeout", "read-timeout", "engine-500"],
)
@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
async def test_upstream_failure_before_ack_is_an_http_error(
    make_client: MakeClient, engine: httpx.MockTransport, status: int, stream: bool
) -> None:
    api = await make_client(engine)
    response = await api.post(CHAT, params={"stream": "1"} if stream else {}, json=body())
    assert response.status_code == status
    data = response.json()
    assert data["ok"] is False and data["error"] and data["hint"]
    assert response.headers["x-request-id"]


async def test_json_send_with_a_stream_cut_midway_is_a_502(make_client: MakeClient) -> None:
    api = await make_client(failing_engine(lines=[b'{"token": "Hel"}\n'], then=httpx.ReadError("reset")))
    response = await api.post(CHAT, json=body())
    assert response.status_code == 502


async def test_a_garbled_engine_line_is_a_502(make_client: MakeClient) -> None:
    api = await make_client(failing_engine(lines=[b"not json\n"]))
    assert (await api.post(CHAT, json=body())).status_code == 502


# -- idempotency ---------------------------------------------------------------------


async def test_a_retried_send_stores_the_question_once_and_replays(api: httpx.AsyncClient) -> None:
    key = str(uuid.uuid4())
    first = await api.post(CHAT, json=body(), headers={"idempotency-key": key})
    second = await api.post(CHAT, params={"stream": "1"}, json=body(), headers={"idempotency-key": key})
    assert first.status_code == second.status_code == 200
    assert first.json()["metadata"]["replayed"] is False
    frames = sse_frames(second.text)
    assert [f["type"] for f in frames] == ["ack", "token", "done"]
    assert frames[-1]["metadata"]["replayed"] is True
    assert frames[-1]["message"] == first.json()["assistantMessage"]
    assert len(await history(api)) == 2


async def test_the_key_may_also_come_in_the_body(api: httpx.AsyncClient) -> None:
    for _ in range(3):
        assert (await api.post(CHAT, json=body(idempotencyKey="k-1"))).status_code == 200
    assert len(await history(api)) == 2


async def test_a_retry_after_an_upstream_failure_does_not_store_the_question_twice(
    make_client: MakeClient, settings: Settings
) -> None:
    broken = await make_client(failing_engine(raises=httpx.ConnectError("refused")))
    assert (await broken.post(CHAT, json=body(), headers={"idempotency-key": "k"})).status_code == 502
    healthy = await make_client()
    assert (await healthy.post(CHAT, json=body(), headers={"idempotency-key": "k"})).status_code == 200
    assert [m["role"] for m in await history(healthy)] == ["user", "assistant"]


async def test_without_a_key_every_send_is_a_new_message(api: httpx.AsyncClient) -> None:
    await api.post(CHAT, json=body())
    await api.post(CHAT, json=body())
    assert len(await history(api)) == 4


async def test_keys_are_per_session(api: httpx.AsyncClient) -> None:
    await api.post(CHAT, json=body(session="a"), headers={"idempotency-key": "same"})
    await api.post(CHAT, json=body(session="b"), headers={"idempotency-key": "same"})
    assert len(await history(api, "a")) == len(await history(api, "b")) == 2


# -- validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "status", "error_part"),
    [
        ({"message": "hi"}, 400, "sessionId is required"),
        ({"sessionId": "", "message": "hi"}, 400, "sessionId is required"),
        ({"sessionId": "x" * 200, "message": "hi"}, 422, "sessionId is longer"),
        ({"sessionId": "s1"}, 400, "message is required"),
        ({"sessionId": "s1", "message": 5}, 400, "message is required"),
        ({"sessionId": "s1", "message": "   "}, 422, "message is empty"),
        ({"sessionId": "s1", "message": "x" * 2001}, 422, "the limit is 2000"),
        ({"sessionId": "s1", "message": "hi", "history": "nope"}, 400, "history must be a list"),
        ({"sessionId": "s1", "message": "hi", "history": [{"role": "u", "content": "x"}] * 51}, 422, "limit is 50"),
        ({"sessionId": "s1", "message": "hi", "history": [{"role": "system", "content": "x"}]}, 422, "history[0]"),
        ({"sessionId": "s1", "message": "hi", "history": [{"role": "user"}]}, 422, "history[0]"),
        ({"sessionId": "s1", "message": "hi", "language": 7}, 422, "language"),
        ({"sessionId": "s1", "message": "hi", "idempotencyKey": ""}, 422, "idempotency key"),
    ],
)
async def test_invalid_sends_get_an_error_and_a_hint(
    api: httpx.AsyncClient, payload: dict[str, Any], status: int, error_part: str
) -> None:
    response = await api.post(CHAT, json=payload)
    assert response.status_code == status
    data = response.json()
    assert data["ok"] is False and error_part in data["error"] and data["hint"]
    assert response.headers["x-request-id"]
    assert await history(api) == []


@pytest.mark.parametrize(
    ("raw", "error_part"),
    [(b"{not json", "not valid JSON"), (b"[1, 2]", "must be a JSON object"), (b"", "empty"), (b"\xff\xfe", "JSON")],
)
async def test_bad_json_is_a_400(api: httpx.AsyncClient, raw: bytes, error_part: str) -> None:
    response = await api.post(CHAT, content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert error_part in response.json()["error"]


async def test_an_oversized_body_is_a_413(api: httpx.AsyncClient) -> None:
    response = await api.post(CHAT, content=json.dumps(body("x" * 40_000)).encode())
    assert response.status_code == 413
    assert response.json()["hint"]


async def test_an_oversized_chunked_body_is_a_413(api: httpx.AsyncClient) -> None:
    async def chunks() -> Any:
        for _ in range(40):
            yield b" " * 1024

    response = await api.post(CHAT, content=chunks())
    assert response.status_code == 413


# -- rate limit ------------------------------------------------------------------------


async def test_the_rate_limit_answers_429_with_retry_after_per_session(make_client: MakeClient) -> None:
    api = await make_client(rate_limit=2, rate_window_s=30)
    assert (await api.post(CHAT, json=body())).status_code == 200
    assert (await api.post(CHAT, json=body())).status_code == 200
    limited = await api.post(CHAT, json=body())
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 30
    assert limited.json()["hint"] == f"wait {limited.headers['retry-after']} seconds before sending again"
    assert limited.headers["x-request-id"]
    assert (await api.post(CHAT, json=body(session="other"))).status_code == 200
    assert len(await history(api)) == 4  # the limited question was not stored


async def test_a_replayed_send_does_not_count_against_the_limit(make_client: MakeClient) -> None:
    api = await make_client(rate_limit=1, rate_window_s=30)
    for _ in range(3):
        assert (await api.post(CHAT, json=body(), headers={"idempotency-key": "k"})).status_code == 200


# -- every response carries a request id ------------------------------------------------


async def test_every_route_sets_x_request_id(api: httpx.AsyncClient) -> None:
    responses = [
        await api.get("/healthz"),
        await api.get("/api/config"),
        await api.get("/api/metrics"),
        await api.post("/api/analytics", json={"event": "x"}),
        await api.get("/nowhere"),
        await api.delete(CHAT),
    ]
    ids = [r.headers.get("x-request-id") for r in responses]
    assert all(ids) and len(set(ids)) == len(ids)
    assert responses[-2].status_code == 404 and responses[-1].status_code == 405
