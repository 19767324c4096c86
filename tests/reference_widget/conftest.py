"""Fixtures for the reference widget's backend: a real SQLite file, the app in-process.

In-process requests go through ``httpx.ASGITransport`` (Starlette's TestClient
would need a second httpx); the engine is reached the same way, or through a
``MockTransport`` that fails the way a broken upstream does.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from reference_widget.backend.app import create_app
from reference_widget.backend.config import Settings
from reference_widget.engine.app import create_app as create_engine

MakeClient = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test: its own database, no front end, a generous rate limit."""
    return Settings(
        db_path=tmp_path / "chat.sqlite3",
        static_dir=tmp_path / "no-frontend",
        engine_url="http://engine.test",
        rate_limit=100,
        rate_window_s=60,
    )


def engine_transport() -> httpx.AsyncBaseTransport:
    """The real engine app, in-process, with no delay between tokens."""
    return httpx.ASGITransport(app=create_engine(token_delay_ms=0))


@pytest.fixture
async def make_client(settings: Settings) -> AsyncIterator[MakeClient]:
    """Build a client for the API with given settings changes and engine transport."""
    clients: list[httpx.AsyncClient] = []

    async def make(transport: httpx.AsyncBaseTransport | None = None, **changes: Any) -> httpx.AsyncClient:
        app = create_app(replace(settings, **changes), transport or engine_transport())
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api.test")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def api(make_client: MakeClient) -> httpx.AsyncClient:
    """The API with the real engine behind it."""
    return await make_client()


def sse_frames(text: str) -> list[dict[str, Any]]:
    """Parse an SSE body, checking the framing: every event is one ``data:`` line and a blank line."""
    assert text.endswith("\n\n"), f"the stream does not end with a blank line: {text[-40:]!r}"
    frames = []
    for block in text.split("\n\n")[:-1]:
        assert block.startswith("data: ") and "\n" not in block, f"not a single data line: {block!r}"
        frames.append(json.loads(block.removeprefix("data: ")))
    return frames


def failing_engine(
    *,
    raises: Exception | None = None,
    status: int = 200,
    lines: Iterable[bytes] = (),
    then: Exception | None = None,
) -> httpx.MockTransport:
    """An engine that fails: raises on connect, answers ``status``, or streams ``lines`` then ``then``."""
    sent = list(lines)

    class Broken(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for chunk in sent:
                yield chunk
            if then is not None:
                raise then

    def handler(request: httpx.Request) -> httpx.Response:
        if raises is not None:
            raise raises
        return httpx.Response(status, stream=Broken())

    return httpx.MockTransport(handler)
