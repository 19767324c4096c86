"""``/api/dynamic-ai/chat``: history (GET) and send (POST, JSON or SSE with ``?stream=1``).

A send stores the question once per idempotency key, asks the engine, and
stores the answer once per key; a retried send whose answer is already stored is
replayed without asking the engine again. Upstream failures before ``ack`` are
HTTP 502/504; after ``ack`` they are an in-stream ``error`` event, since the
status line has already gone.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from reference_widget.backend.config import Settings
from reference_widget.backend.engine_client import EngineClient, UpstreamError
from reference_widget.backend.http import BodyError, error, read_json_object, request_id
from reference_widget.backend.ratelimit import SlidingWindowLimiter
from reference_widget.backend.storage import ChatMessage, Storage
from reference_widget.backend.validation import Invalid, SendRequest, validate_send, validate_session_id

UPSTREAM_HINT = "the assistant is unavailable; try again in a moment"
SSE_HEADERS = {"cache-control": "no-cache", "x-accel-buffering": "no"}


def sse(frame: dict[str, Any]) -> bytes:
    """One server-sent event: ``data: <json>`` and a blank line."""
    return f"data: {json.dumps(frame, ensure_ascii=False)}\n\n".encode()


def wants_stream(request: Request) -> bool:
    return request.query_params.get("stream", "").lower() in ("1", "true", "yes")


@dataclass
class ChatRoutes:
    settings: Settings
    storage: Storage
    engine: EngineClient
    limiter: SlidingWindowLimiter

    def _history(self, session_id: str) -> list[ChatMessage]:
        return self.storage.history(session_id, oldest=self.settings.has("history-oldest-fifty"))

    def _log(self, route: str, status: int, failed: bool, started: float) -> None:
        self.storage.log_request(route, status, failed, (time.perf_counter() - started) * 1000)

    async def history(self, request: Request) -> Response:
        """``GET ?sessionId=ID`` → ``{ok: true, messages}``, the newest 50, oldest first."""
        started = time.perf_counter()
        session = validate_session_id(request.query_params.get("sessionId"))
        if isinstance(session, Invalid):
            self._log("history", session.status, False, started)
            return error(session.status, session.error, "pass ?sessionId=<uuid>")
        messages = self._history(session)
        self._log("history", 200, False, started)
        return JSONResponse({"ok": True, "messages": messages})

    async def send(self, request: Request) -> Response:
        """``POST`` a question; JSON answer, or SSE frames with ``?stream=1``."""
        started = time.perf_counter()
        try:
            body = await read_json_object(request, self.settings.max_body_bytes)
        except BodyError as exc:
            self._log("send", exc.response.status_code, False, started)
            return exc.response
        checked = validate_send(body, request.headers.get("idempotency-key"), self.settings.max_message_chars)
        if isinstance(checked, Invalid):
            self._log("send", checked.status, False, started)
            return error(checked.status, checked.error, checked.hint)
        stream = wants_stream(request)
        rid = request_id(request)

        if checked.idempotency_key:
            stored = self.storage.answer_for(checked.session_id, checked.idempotency_key)
            if stored is not None:
                self._log("send", 200, False, started)
                return self._replay(checked, stored, rid, stream)

        retry_after = self.limiter.hit(checked.session_id)
        if retry_after is not None:
            self._log("send", 429, False, started)
            return error(
                429,
                "too many messages",
                f"wait {retry_after} seconds before sending again",
                headers={"retry-after": str(retry_after)},
            )

        self.storage.append(checked.session_id, "user", checked.message, checked.idempotency_key)
        try:
            answer = await self.engine.open(checked.message, self._history(checked.session_id), checked.language)
        except UpstreamError as exc:
            self._log("send", exc.status, True, started)
            return error(exc.status, exc.message, UPSTREAM_HINT)

        if not stream:
            tokens: list[str] = []
            try:
                async for token in answer.tokens():
                    tokens.append(token)
            except UpstreamError as exc:
                self._log("send", exc.status, True, started)
                return error(exc.status, exc.message, UPSTREAM_HINT)
            content = "".join(tokens)
            history = self._store_answer(checked, content)
            self._log("send", 200, False, started)
            return JSONResponse(
                {
                    "ok": True,
                    "assistantMessage": {"role": "assistant", "content": content},
                    "history": history,
                    "metadata": self._metadata(checked, rid, answer.metadata, replayed=False),
                }
            )

        async def frames() -> AsyncIterator[bytes]:
            yield sse({"type": "ack", "requestId": rid})
            content = ""
            try:
                async for token in answer.tokens():
                    content += token
                    yield sse({"type": "token", "token": token, "content": content})
            except UpstreamError as exc:
                self._log("send", 200, True, started)
                yield sse({"type": "error", "message": exc.message, "status": exc.status, "requestId": rid})
                return
            history = self._store_answer(checked, content)
            self._log("send", 200, False, started)
            yield sse(
                {
                    "type": "done",
                    "message": {"role": "assistant", "content": content},
                    "history": history,
                    "metadata": self._metadata(checked, rid, answer.metadata, replayed=False),
                }
            )

        return StreamingResponse(frames(), media_type="text/event-stream", headers=SSE_HEADERS)

    def _store_answer(self, checked: SendRequest, content: str) -> list[ChatMessage]:
        self.storage.append(checked.session_id, "assistant", content, checked.idempotency_key)
        return self._history(checked.session_id)

    @staticmethod
    def _metadata(checked: SendRequest, rid: str, engine: dict[str, Any], *, replayed: bool) -> dict[str, Any]:
        meta: dict[str, Any] = {"requestId": rid, "replayed": replayed}
        if checked.idempotency_key:
            meta["idempotencyKey"] = checked.idempotency_key
        if isinstance(engine.get("rule"), str):
            meta["rule"] = engine["rule"]
        return meta

    def _replay(self, checked: SendRequest, content: str, rid: str, stream: bool) -> Response:
        """A send whose answer is stored already: answer it again, store nothing."""
        history = self._history(checked.session_id)
        message = {"role": "assistant", "content": content}
        meta = self._metadata(checked, rid, {}, replayed=True)
        if not stream:
            return JSONResponse({"ok": True, "assistantMessage": message, "history": history, "metadata": meta})

        async def frames() -> AsyncIterator[bytes]:
            yield sse({"type": "ack", "requestId": rid})
            yield sse({"type": "token", "token": content, "content": content})
            yield sse({"type": "done", "message": message, "history": history, "metadata": meta})

        return StreamingResponse(frames(), media_type="text/event-stream", headers=SSE_HEADERS)
