"""The reference API's history route, against a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from reference_widget.backend.app import create_app
from reference_widget.backend.storage import Storage


def client() -> httpx.Client:
    """A client speaking ASGI to the app in-process (the live server is tested e2e)."""
    import asyncio

    app = create_app()

    class Sync:
        def get(self, url: str, **kwargs: object) -> httpx.Response:
            async def go() -> httpx.Response:
                transport = httpx.ASGITransport(app=app)
                async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                    return await c.get(url, **kwargs)  # type: ignore[arg-type]

            return asyncio.run(go())

    return Sync()  # type: ignore[return-value]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "chat.sqlite3"
    monkeypatch.setenv("CHAT_DB_PATH", str(path))
    monkeypatch.setenv("CHAT_STATIC_DIR", str(tmp_path / "no-frontend"))
    return path


def test_history_is_newest_fifty_oldest_first(db: Path) -> None:
    storage = Storage(db)
    for i in range(60):
        storage.append("s1", "user" if i % 2 == 0 else "assistant", f"m{i}")
    response = client().get("/api/dynamic-ai/chat", params={"sessionId": "s1"})
    assert response.status_code == 200
    messages = response.json()["messages"]
    assert len(messages) == 50
    assert messages[0]["content"] == "m10" and messages[-1]["content"] == "m59"
    assert response.headers["x-request-id"]


def test_missing_session_id_is_a_400_with_a_hint(db: Path) -> None:
    response = client().get("/api/dynamic-ai/chat")
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "sessionId is required", "hint": "pass ?sessionId=<uuid>"}
    assert response.headers["x-request-id"]
