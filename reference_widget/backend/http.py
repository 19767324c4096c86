"""HTTP plumbing shared by every route: request ids, error bodies, bounded JSON bodies."""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestIdMiddleware:
    """Give every response an ``x-request-id`` (the production server forgot to).

    Pure ASGI rather than ``BaseHTTPMiddleware``, so streamed (SSE) responses pass
    through unbuffered and still carry the header.
    """

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


def request_id(request: Request) -> str:
    return str(request.state.request_id)


def error(status: int, message: str, hint: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """The contract's error body: ``{ok: false, error, hint?}``."""
    body: dict[str, object] = {"ok": False, "error": message}
    if hint:
        body["hint"] = hint
    return JSONResponse(body, status_code=status, headers=headers)


class BodyError(Exception):
    """A request body the server will not read; carries the response to send."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


async def read_json_object(request: Request, max_bytes: int) -> dict[str, Any]:
    """Read a JSON object body of at most ``max_bytes``, or raise :class:`BodyError`.

    The size is checked while reading, not only from ``Content-Length``, so a
    chunked upload cannot make the server buffer more than the limit.
    """
    too_large = BodyError(
        error(413, f"request body is larger than {max_bytes} bytes", "send a shorter message (at most 2000 characters)")
    )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise BodyError(error(400, "request body is empty", "send a JSON object"))
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BodyError(error(400, f"request body is not valid JSON: {exc}", "send a JSON object")) from None
    if not isinstance(data, dict):
        raise BodyError(error(400, f"request body must be a JSON object, not {type(data).__name__}"))
    return data
