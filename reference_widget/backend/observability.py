"""Analytics, telemetry, metrics and the feature-flag config: the plan's items 5 and 6."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from reference_widget.backend.config import FLAG_DEFAULTS, Settings, parse_flags
from reference_widget.backend.http import BodyError, error, read_json_object
from reference_widget.backend.metrics import outcome_counts, rate, sync_durations
from reference_widget.backend.storage import EventKind, Storage
from reference_widget.regressions import REGRESSIONS, unknown_regression_message

EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_EVENT_BYTES = 8 * 1024
DEFAULT_WINDOW_S = 3600
MAX_WINDOW_S = 7 * 24 * 3600


@dataclass
class ObservabilityRoutes:
    settings: Settings
    storage: Storage

    async def _record(self, request: Request, kind: EventKind) -> Response:
        try:
            body = await read_json_object(request, MAX_EVENT_BYTES)
        except BodyError as exc:
            return exc.response
        name = body.get("event")
        if not isinstance(name, str) or not EVENT_NAME.match(name):
            return error(422, "event must be a snake_case name", "send {event: 'chat_status_changed', ...}")
        session = body.get("session_id")
        self.storage.add_event(kind, name, session if isinstance(session, str) else None, body)
        return JSONResponse({"ok": True}, status_code=202)

    async def analytics(self, request: Request) -> Response:
        """``POST`` one analytics event (a JSON object with ``event``), stored in SQLite."""
        return await self._record(request, "analytics")

    async def telemetry(self, request: Request) -> Response:
        """``POST`` one structured error for the observability log."""
        return await self._record(request, "telemetry")

    def _list(self, request: Request, kind: EventKind) -> Response:
        name = request.query_params.get("event") or None
        session = request.query_params.get("session_id") or None
        events = self.storage.events(kind, name=name)
        if session:
            events = [e for e in events if e.get("session_id") == session]
        return JSONResponse({"ok": True, "events": events})

    async def list_analytics(self, request: Request) -> Response:
        """``GET ?event=&session_id=``: stored analytics events, oldest first."""
        return self._list(request, "analytics")

    async def list_telemetry(self, request: Request) -> Response:
        return self._list(request, "telemetry")

    async def metrics(self, request: Request) -> Response:
        """``GET ?window_s=3600``: error rates of sends and history loads, sync duration."""
        raw = request.query_params.get("window_s", str(DEFAULT_WINDOW_S))
        try:
            window = float(raw)
        except ValueError:
            window = -1.0
        if not 0 < window <= MAX_WINDOW_S:
            return error(422, f"window_s must be a number of seconds in (0, {MAX_WINDOW_S}]", "e.g. ?window_s=3600")
        since = time.time() - window
        events = self.storage.events("analytics", since=since)
        counts = outcome_counts(events)
        server: dict[str, Any] = {}
        for route in ("send", "history"):
            total, failed = self.storage.request_counts(route, since)
            server[route] = {"total": total, "failed": failed, "error_rate": rate(failed, total)}
        baseline = self.settings.error_rate_baseline
        firing = [name for name in ("sends", "history_loads") if counts[name]["error_rate"] > baseline]
        return JSONResponse(
            {
                "ok": True,
                "window_s": window,
                **counts,
                "sync_duration_ms": sync_durations(events),
                "server": server,
                "alert": {"baseline": baseline, "firing": bool(firing), "over_baseline": firing},
            }
        )

    async def config(self, request: Request) -> Response:
        """``GET``: feature flags and client settings for the widget.

        ``?flags=chat_widget_enabled=false`` overrides a flag for this page load
        (staged rollout, instant rollback); ``?regression=NAME`` is honoured only
        when the server was started with ``CHAT_REGRESSION_PARAM=1``.
        """
        try:
            overrides = parse_flags(request.query_params.get("flags"))
        except ValueError as exc:
            return error(422, str(exc), f"known flags: {', '.join(FLAG_DEFAULTS)}")
        regressions = list(self.settings.regressions)
        asked = [n.strip() for n in request.query_params.get("regression", "").split(",") if n.strip()]
        if asked and self.settings.regression_param:
            unknown = [n for n in asked if n not in REGRESSIONS]
            if unknown:
                return error(422, unknown_regression_message(unknown[0]), "see reference_widget/README.md")
            regressions += [n for n in asked if n not in regressions]
        return JSONResponse(
            {
                "ok": True,
                "flags": {**self.settings.flags, **overrides},
                "regressions": regressions,
                "client": {
                    "retry_base_ms": self.settings.retry_base_ms,
                    "max_retries": self.settings.max_retries,
                    "request_timeout_ms": self.settings.request_timeout_ms,
                },
            },
            headers={"cache-control": "no-store"},
        )
