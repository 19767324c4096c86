"""The engine's HTTP API: ``POST /v1/answer`` streams an answer token by token.

The stream is NDJSON, one ``{"token": ...}`` line per token and a final
``{"done": true, "rule": ..., "content": ...}``: a cut anywhere before that last
line is detectable by the API. ``ENGINE_TOKEN_DELAY_MS`` spaces the tokens out
(real time, like a model would), so a TCP fault can land mid-answer.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from reference_widget.engine.rules import answer, tokenize

MAX_BODY_BYTES = 64 * 1024


async def healthz(_: Request) -> Response:
    return JSONResponse({"ok": True})


def line(frame: dict[str, object]) -> bytes:
    return (json.dumps(frame, ensure_ascii=False) + "\n").encode()


def create_app(token_delay_ms: float | None = None) -> Starlette:
    """Build the engine (``uvicorn --factory`` passes nothing: the delay comes from the environment)."""
    delay_s = (float(os.environ.get("ENGINE_TOKEN_DELAY_MS", "5")) if token_delay_ms is None else token_delay_ms) / 1000

    async def answer_route(request: Request) -> Response:
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return JSONResponse({"error": "body is not JSON"}, status_code=400)
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, str) or not message.strip():
            return JSONResponse({"error": "message is required"}, status_code=422)
        rule_name, text = answer(message)

        async def stream() -> AsyncIterator[bytes]:
            for token in tokenize(text):
                if delay_s:
                    await asyncio.sleep(delay_s)
                yield line({"token": token})
            yield line({"done": True, "rule": rule_name, "content": text})

        return StreamingResponse(stream(), media_type="application/x-ndjson")

    return Starlette(routes=[Route("/healthz", healthz), Route("/v1/answer", answer_route, methods=["POST"])])
