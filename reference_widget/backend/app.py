"""The reference API: ``/api/dynamic-ai/chat`` and the built front end.

Configured by environment variables so the harness can start it as a plain
``uvicorn --factory`` subprocess:

- ``CHAT_DB_PATH``: SQLite file (default: a file in the working directory).
- ``CHAT_STATIC_DIR``: the built front end to serve at ``/``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reference_widget.backend.storage import Storage

DEFAULT_STATIC_DIR = Path(__file__).resolve().parent.parent / "frontend" / "dist"


class RequestIdMiddleware:
    """Give every response an ``x-request-id`` (the production server forgot to)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_id)


def error(status: int, message: str, hint: str | None = None) -> JSONResponse:
    body: dict[str, object] = {"ok": False, "error": message}
    if hint:
        body["hint"] = hint
    return JSONResponse(body, status_code=status)


def make_history_route(storage: Storage) -> Callable[[Request], Awaitable[Response]]:
    async def history(request: Request) -> Response:
        session_id = request.query_params.get("sessionId", "").strip()
        if not session_id:
            return error(400, "sessionId is required", "pass ?sessionId=<uuid>")
        return JSONResponse({"ok": True, "messages": storage.history(session_id)})

    return history


async def healthz(_: Request) -> Response:
    return JSONResponse({"ok": True})


def create_app() -> Starlette:
    """Build the app from the environment (used as ``uvicorn --factory``)."""
    db_path = Path(os.environ.get("CHAT_DB_PATH", "reference-widget.sqlite3"))
    static_dir = Path(os.environ.get("CHAT_STATIC_DIR", str(DEFAULT_STATIC_DIR)))
    storage = Storage(db_path)
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/api/dynamic-ai/chat", make_history_route(storage), methods=["GET"]),
    ]
    if static_dir.is_dir():
        routes.append(Mount("/", StaticFiles(directory=static_dir, html=True)))
    return Starlette(routes=routes, middleware=[Middleware(RequestIdMiddleware)])
