"""mitmproxy addon: every flow through the proxy becomes timeline events.

The proxy sees what the page cannot: request bodies of analytics and telemetry
posts, and the messages a send carries. Registered before the fault addon, so
it also sees requests that a fault answers or kills.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mitmproxy import http

Sink = Callable[[str, dict[str, Any]], object]

BODY_LIMIT = 64_000


@dataclass
class Routes:
    """API paths (from the target profile) whose bodies carry meaning."""

    chat: str = "/api/dynamic-ai/chat"
    analytics: str | None = "/api/analytics"
    telemetry: str | None = "/api/telemetry"


def parse_json(raw: bytes | None) -> Any:
    if not raw or len(raw) > BODY_LIMIT:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass
class FlowRecorder:
    """Turns flows into ``proxy.*``, ``analytics.event``, ``telemetry.entry`` and ``chat.*`` events."""

    routes: Routes = field(default_factory=Routes)
    sink: Sink | None = None
    flows: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, sink: Sink | None, routes: Routes | None = None) -> None:
        with self._lock:
            self.sink = sink
            self.flows = []
            if routes is not None:
                self.routes = routes

    def snapshot(self) -> list[dict[str, Any]]:
        """Finished flows, for the HAR attachment."""
        with self._lock:
            return list(self.flows)

    def _emit(self, kind: str, data: dict[str, Any]) -> None:
        sink = self.sink
        if sink is not None:
            sink(kind, data)

    def request(self, flow: http.HTTPFlow) -> None:
        flow.metadata["chaos_t0"] = time.time()
        request = flow.request
        path = request.path.split("?", 1)[0]
        body = parse_json(request.raw_content) if request.method == "POST" else None
        if path == self.routes.analytics and isinstance(body, dict):
            self._emit("analytics.event", {k: v for k, v in body.items() if not isinstance(v, dict | list)})
        elif path == self.routes.telemetry and isinstance(body, dict):
            self._emit("telemetry.entry", {k: v for k, v in body.items() if not isinstance(v, dict | list)})
        elif path == self.routes.chat and request.method == "POST" and isinstance(body, dict):
            self._emit(
                "chat.send",
                {
                    "message": str(body.get("message", ""))[:500],
                    "history_len": len(body.get("history") or []),
                    "idempotency_key": request.headers.get("idempotency-key") or body.get("idempotencyKey"),
                    "stream": "stream=1" in request.path,
                },
            )

    def response(self, flow: http.HTTPFlow) -> None:
        self._finish(flow, None)

    def error(self, flow: http.HTTPFlow) -> None:
        self._finish(flow, str(flow.error) if flow.error else "error")

    def _finish(self, flow: http.HTTPFlow, error: str | None) -> None:
        request, response = flow.request, flow.response
        t0 = float(flow.metadata.get("chaos_t0", time.time()))
        record: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code if response is not None and error is None else None,
            "request_id": response.headers.get("x-request-id") if response is not None else None,
            "fault": response.headers.get("x-chaos-fault") if response is not None else None,
            "ms": round((time.time() - t0) * 1000, 1),
        }
        if error:
            record["error"] = error
        self._emit("proxy.flow", record)
        with self._lock:
            self.flows.append({**record, "started": t0, "flow": _har_parts(flow)})


def _har_parts(flow: http.HTTPFlow) -> dict[str, Any]:
    """Headers and small bodies, for the network log (redacted when written)."""
    request, response = flow.request, flow.response
    return {
        "url": request.pretty_url,
        "http_version": request.http_version,
        "request_headers": _pairs(request.headers.fields),
        "request_body": (request.get_text(strict=False) or "")[:BODY_LIMIT],
        "response_headers": _pairs(response.headers.fields) if response is not None else [],
        "response_body": (response.get_text(strict=False) or "")[:BODY_LIMIT] if response is not None else "",
        "reason": response.reason if response is not None else "",
    }


def _pairs(fields: tuple[tuple[bytes, bytes], ...]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in fields]
