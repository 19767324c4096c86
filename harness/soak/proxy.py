"""The soak's two mitmproxy addons: the fault mix, and the traffic recorder.

Each browser context carries its session number in a request header, so every
decision is keyed by (seed, session, fault, n-th matching request): a session
meets the same faults whichever worker runs it and however many run at once,
which is what lets a split run be compared with a single one.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from mitmproxy import http

from harness.faults.http_engine import request_facts
from harness.faults.matching import matches
from harness.soak.mix import Mix, MixFault

SESSION_HEADER = "x-chaos-soak-session"
FAULT_KEY = "chaos_soak_fault"


def draw(seed: int, session: str, fault_id: str, n: int) -> float:
    """The n-th draw of one fault for one session: independent of timing and of other sessions."""
    return random.Random(f"{seed}:{session}:{fault_id}:{n}").random()


class SoakFaults:
    """Applies the mix's HTTP faults to requests that carry a soak session header."""

    def __init__(self, mix: Mix, seed: int) -> None:
        self.faults = list(mix.faults)
        self.seed = seed
        self.fired: dict[str, int] = {f.id: 0 for f in self.faults}
        self.outages: dict[str, int] = {f.id: 0 for f in self.faults}  # draws that opened a window
        self._seen: dict[tuple[str, str], int] = {}
        self._until: dict[tuple[str, str], float] = {}
        self._drawn: dict[tuple[str, str], int] = {}  # draws that fired, per session
        self._lock = threading.Lock()

    def decide(self, session: str, flow: http.HTTPFlow, now: float) -> MixFault | None:
        facts = request_facts(flow)
        with self._lock:
            for fault in self.faults:
                if not matches(fault.http, facts):
                    continue
                key = (session, fault.id)
                if self._until.get(key, 0.0) > now:
                    self.fired[fault.id] += 1
                    return fault
                if fault.max_per_session is not None and self._drawn.get(key, 0) >= fault.max_per_session:
                    continue
                n = self._seen.get(key, 0)
                self._seen[key] = n + 1
                if draw(self.seed, session, fault.id, n) < fault.probability:
                    self.fired[fault.id] += 1
                    self._drawn[key] = self._drawn.get(key, 0) + 1
                    if fault.lasts_ms:
                        self._until[key] = now + fault.lasts_ms / 1000
                        self.outages[fault.id] += 1
                    return fault
        return None

    async def request(self, flow: http.HTTPFlow) -> None:
        session = flow.request.headers.get(SESSION_HEADER)
        if session is None:
            return
        fault = self.decide(session, flow, time.monotonic())
        if fault is None:
            return
        flow.metadata[FAULT_KEY] = fault.id
        if fault.respond is not None:
            headers = {"content-type": "application/json", "x-chaos-fault": fault.id, **fault.respond.headers}
            flow.response = http.Response.make(fault.respond.status, fault.respond.body.encode(), headers)
        elif fault.delay_ms is not None:
            await asyncio.sleep(fault.delay_ms / 1000)
        elif fault.hang_ms is not None:
            await asyncio.sleep(fault.hang_ms / 1000)
            if flow.killable:
                flow.kill()  # type: ignore[no-untyped-call]
        elif flow.killable:
            flow.kill()  # type: ignore[no-untyped-call]


@dataclass
class FlowRecord:
    """One request as the proxy saw it end."""

    t: float  # epoch seconds at the request's start
    session: str | None
    method: str
    path: str
    status: int | None
    error: str | None
    ms: float
    fault: str | None

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class SoakRecorder:
    """Every request of every session, and the widget's analytics and telemetry events as sent."""

    analytics_path: str | None
    telemetry_path: str | None
    flows: list[FlowRecord] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)  # {"t", "session", "kind", **body}
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, flow: http.HTTPFlow) -> None:
        flow.metadata["chaos_soak_t"] = time.time()
        path = flow.request.path.split("?", 1)[0]
        kind = "analytics" if path == self.analytics_path else "telemetry" if path == self.telemetry_path else None
        if kind is None or flow.request.method != "POST":
            return
        try:
            body = json.loads(flow.request.get_text(strict=False) or "{}")
        except ValueError:
            return
        if isinstance(body, dict):
            event = {**body, "t": time.time(), "session": flow.request.headers.get(SESSION_HEADER), "kind": kind}
            with self._lock:
                self.events.append(event)

    def response(self, flow: http.HTTPFlow) -> None:
        self._finish(flow)

    def error(self, flow: http.HTTPFlow) -> None:
        self._finish(flow)

    def _finish(self, flow: http.HTTPFlow) -> None:
        if flow.metadata.get("chaos_soak_done"):
            return
        flow.metadata["chaos_soak_done"] = True
        started = float(flow.metadata.get("chaos_soak_t") or time.time())
        record = FlowRecord(
            t=started, session=flow.request.headers.get(SESSION_HEADER), method=flow.request.method,
            path=flow.request.path.split("?", 1)[0], status=flow.response.status_code if flow.response else None,
            error=flow.error.msg if flow.error else None, ms=round((time.time() - started) * 1000, 1),
            fault=flow.metadata.get(FAULT_KEY),
        )
        with self._lock:
            self.flows.append(record)

    def snapshot(self) -> tuple[list[FlowRecord], list[dict[str, Any]]]:
        with self._lock:
            return list(self.flows), list(self.events)
