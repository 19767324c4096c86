"""The reference API: ``/api/dynamic-ai/chat``, observability routes and the built front end.

Configured by environment variables (see :mod:`reference_widget.backend.config`)
so the harness can start it as a plain ``uvicorn --factory`` subprocess; tests
pass :class:`Settings` and an engine transport directly.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from reference_widget.backend.chat import ChatRoutes
from reference_widget.backend.config import Settings
from reference_widget.backend.engine_client import EngineClient
from reference_widget.backend.http import RequestIdMiddleware
from reference_widget.backend.observability import ObservabilityRoutes
from reference_widget.backend.ratelimit import SlidingWindowLimiter
from reference_widget.backend.storage import Storage


async def healthz(_: Request) -> Response:
    return JSONResponse({"ok": True})


def create_app(settings: Settings | None = None, engine_transport: httpx.AsyncBaseTransport | None = None) -> Starlette:
    """Build the app (``uvicorn --factory`` calls it with no arguments: settings from the environment)."""
    settings = settings or Settings.from_env()
    storage = Storage(settings.db_path)
    engine = EngineClient(
        settings.engine_url,
        timeout_s=settings.engine_timeout_s,
        connect_timeout_s=settings.engine_connect_timeout_s,
        transport=engine_transport,
    )
    chat = ChatRoutes(settings, storage, engine, SlidingWindowLimiter(settings.rate_limit, settings.rate_window_s))
    obs = ObservabilityRoutes(settings, storage)
    routes: list[BaseRoute] = [
        Route("/healthz", healthz),
        Route("/api/dynamic-ai/chat", chat.history, methods=["GET"]),
        Route("/api/dynamic-ai/chat", chat.send, methods=["POST"]),
        Route("/api/analytics", obs.analytics, methods=["POST"]),
        Route("/api/analytics", obs.list_analytics, methods=["GET"]),
        Route("/api/telemetry", obs.telemetry, methods=["POST"]),
        Route("/api/telemetry", obs.list_telemetry, methods=["GET"]),
        Route("/api/metrics", obs.metrics, methods=["GET"]),
        Route("/api/config", obs.config, methods=["GET"]),
    ]
    if settings.static_dir.is_dir():
        routes.append(Mount("/", StaticFiles(directory=settings.static_dir, html=True)))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await engine.aclose()

    app = Starlette(routes=routes, middleware=[Middleware(RequestIdMiddleware)], lifespan=lifespan)
    app.state.settings = settings
    app.state.storage = storage
    return app
