"""The assistant engine: a deterministic rule table, streamed as NDJSON token lines."""

from __future__ import annotations

import json

import httpx
import pytest

from reference_widget.engine.app import create_app
from reference_widget.engine.rules import DEFAULT_RULE, answer, tokenize


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        ("Hello there", "greeting"),
        ("what are the FEES?", "fees"),
        ("How do I deposit money", "deposit"),
        ("can I withdraw today", "withdrawal"),
        ("how to verify my account", "account"),
        ("I want a human", "human"),
        ("tell me a joke", DEFAULT_RULE),
    ],
)
def test_rules_pick_the_first_matching_answer(question: str, rule: str) -> None:
    assert answer(question)[0] == rule
    assert answer(question) == answer(question)


def test_the_default_answer_quotes_the_question() -> None:
    assert '"tell me a joke"' in answer("  tell me a joke ")[1]


@pytest.mark.parametrize("text", ["Hello world.", "  two  spaces ", "one", ""])
def test_tokens_join_back_to_the_text(text: str) -> None:
    assert "".join(tokenize(text)) == text


def test_tokens_are_words() -> None:
    assert tokenize("Hi, you there") == ["Hi, ", "you ", "there"]


@pytest.mark.anyio
async def test_the_answer_route_streams_tokens_then_done() -> None:
    app = create_app(token_delay_ms=0)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://engine") as client:
        response = await client.post("/v1/answer", json={"message": "hi", "history": []})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in response.text.splitlines()]
        rule, text = answer("hi")
        assert lines[-1] == {"done": True, "rule": rule, "content": text}
        assert "".join(line["token"] for line in lines[:-1]) == text
        assert len(lines) - 1 == len(tokenize(text))
        assert (await client.get("/healthz")).json() == {"ok": True}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("content", "status"), [(b"{}", 422), (b"nope", 400), (b'{"message": " "}', 422), (b"x" * 70_000, 413)]
)
async def test_the_answer_route_rejects_bad_requests(content: bytes, status: int) -> None:
    app = create_app(token_delay_ms=0)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://engine") as client:
        assert (await client.post("/v1/answer", content=content)).status_code == status


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
