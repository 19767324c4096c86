"""The one place a run touches the fault engines: install, window, heal, always clean up.

Both engines share one schedule model. HTTP faults count requests in the
mitmproxy addon; TCP faults (Toxiproxy toxics act on whole connections) are
scheduled by their window only. A window opens with the scenario, an ``inject``
or ``add_fault`` step, or the ``from`` step; it closes at a ``heal`` step, the
``until`` step, or the end of the run. Step boundaries come from the timeline's
``step.start`` events, so the runner needs no fault-specific calls.

Every decision is a ``fault.*`` timeline event carrying the fault's ``kind``
(``http:<kind>`` or ``tcp:<toxic>``); proxy-side events get the page clock,
extrapolated at real pace from its last reading (the pacer lets the clock run
only at real pace while a request is in flight, which is when faults decide).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from harness.faults.http_engine import ChaosHttpFaults
from harness.faults.toxics import ToxiproxyApi, apply_tcp_fault, remove_tcp_fault
from harness.infra.errors import InfrastructureError
from harness.scenario.faults import DownToxic, HttpFault, TcpFault, resolve_step
from harness.scenario.model import Scenario
from harness.timeline import Event, Timeline

Fault = HttpFault | TcpFault


def step_names(scenario: Scenario) -> list[str]:
    """Each step's name (its one field's name, e.g. ``open_widget``), for window bounds."""
    names = []
    for step in scenario.steps:
        name, info = next(iter(type(step).model_fields.items()))
        names.append(info.alias or name)
    return names


class FaultDriver:
    """Installs a scenario's faults into both engines and keeps the fault log."""

    def __init__(self, http: ChaosHttpFaults, toxiproxy: ToxiproxyApi | Any | None, timeline: Timeline) -> None:
        self.http = http
        self.toxiproxy: ToxiproxyApi | None = toxiproxy  # None: a target without Toxiproxy (forward mode)
        self.timeline = timeline
        self.active: dict[str, Fault] = {}
        self.known: dict[str, Fault] = {}
        self.opens: dict[int, list[Fault]] = {}
        self.closes: dict[int, list[str]] = {}
        self._page_clock: tuple[float, float] | None = None  # (virtual_ms, wall_ms) of the last reading
        self._names: list[str] = []
        self._lock = threading.RLock()
        timeline.subscribe(self._on_event)

    # --- the run's lifecycle ---------------------------------------------------------

    def install(self, scenario: Scenario) -> None:
        """A clean slate, then every fault whose window opens with the scenario."""
        self._reset_toxiproxy()  # even if an earlier run could not clean up
        self.http.install([], self._proxy_sink, seed=scenario.seed, clock=self.page_clock_s)
        names = step_names(scenario)
        with self._lock:
            self._names = names
            self.active.clear()
            self.opens.clear()
            self.closes.clear()
            self.known = {f.id: f for f in scenario.faults}
        for fault in scenario.faults:
            opens_at = _bound(fault.from_, names)
            closes_at = _bound(fault.until, names)
            with self._lock:
                if closes_at is not None:
                    self.closes.setdefault(closes_at, []).append(fault.id)
                if opens_at is not None:
                    self.opens.setdefault(opens_at, []).append(fault)
            if fault.armed and opens_at is None:
                self.inject(fault, reason="start")

    def inject(self, fault: Fault, reason: str = "inject") -> None:
        """Install one fault now (an ``inject``/``add_fault`` step, or its window opening)."""
        with self._lock:
            self.known.setdefault(fault.id, fault)
            self.active[fault.id] = fault
            scheduled = any(fault.id in ids for ids in self.closes.values())
            if fault.until is not None and not scheduled:  # an add_fault step's own window
                self.closes.setdefault(_bound(fault.until, self._names) or 0, []).append(fault.id)
        details: dict[str, Any] = {}
        if isinstance(fault, HttpFault):
            self.http.add(fault)
            details = {"engine": "mitmproxy", "match": fault.http.model_dump(exclude_defaults=True)}
        else:
            details = {"engine": "toxiproxy", **apply_tcp_fault(self._require_toxiproxy(), fault)}
        self._log("fault.installed", fault, reason=reason, **details)

    def heal(self, fault_id: str, reason: str = "heal") -> None:
        """Remove one fault; held HTTP requests go on to the server."""
        with self._lock:
            fault = self.active.pop(fault_id, None)
        if fault is None:
            known = self.known.get(fault_id)
            data = {"fault": fault_id, "reason": reason, "found": False}
            self.timeline.add("fault.healed", {**data, "kind": known.kind if known else None})
            return
        if isinstance(fault, HttpFault):
            self.http.heal(fault_id)
            counts = self.http.counts().get(fault_id, (0, 0))
            self._log("fault.healed", fault, reason=reason, found=True, seen=counts[0], fired=counts[1])
            return
        if isinstance(fault.tcp, DownToxic) and self._still_down(fault.tcp.proxy):
            self._log("fault.healed", fault, reason=reason, found=True, note="another down fault holds the proxy")
            return
        remove_tcp_fault(self._require_toxiproxy(), fault)
        self._log("fault.healed", fault, reason=reason, found=True)

    def clear(self) -> None:
        """Remove every fault from both engines, whatever happened in the scenario."""
        with self._lock:
            remaining = list(self.active.values())
            self.active.clear()
            self.opens.clear()
            self.closes.clear()
        try:
            self.http.clear()
        finally:
            self._reset_toxiproxy()
        for fault in remaining:
            self._log("fault.healed", fault, reason="end of run", found=True)

    # --- windows and the fault log ------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event.source == "page" and event.virtual_ms is not None:
            self._page_clock = (event.virtual_ms, event.wall_ms)
        if event.kind == "net.error" and event.source == "page":
            self.http.page_saw_failure(str(event.data.get("method", "")), str(event.data.get("url", "")))
        if event.kind != "step.start" or not isinstance(event.data.get("index"), int):
            return
        index = int(event.data["index"])
        with self._lock:
            closing = self.closes.pop(index, [])
            opening = self.opens.pop(index, [])
        for fault_id in closing:
            self.heal(fault_id, reason=f"window: until step {index}")
        for fault in opening:
            self.inject(fault, reason=f"window: from step {index}")

    def _still_down(self, proxy: str) -> bool:
        with self._lock:
            return any(
                isinstance(f, TcpFault) and isinstance(f.tcp, DownToxic) and f.tcp.proxy == proxy
                for f in self.active.values()
            )

    def page_ms(self) -> float | None:
        """The page clock now, extrapolated at real pace from its last reading."""
        reading = self._page_clock
        if reading is None:
            return None
        virtual, wall = reading
        return round(virtual + (self.timeline.now_ms() - wall), 1)

    def page_clock_s(self) -> float:
        """The page's ``Date.now()`` in epoch seconds (wall time until the page has reported)."""
        page = self.page_ms()
        return page / 1000 if page is not None else time.time()

    def _proxy_sink(self, kind: str, data: dict[str, Any]) -> None:
        self.timeline.add(kind, data, virtual_ms=self.page_ms(), source="proxy")

    def _log(self, kind: str, fault: Fault, **data: Any) -> None:
        self.timeline.add(kind, {"fault": fault.id, "kind": fault.kind, **data}, virtual_ms=self.page_ms())

    def _require_toxiproxy(self) -> ToxiproxyApi:
        if self.toxiproxy is None:
            raise InfrastructureError("toxiproxy", "this target has no Toxiproxy, so it cannot take tcp faults")
        return self.toxiproxy

    def _reset_toxiproxy(self) -> None:
        if self.toxiproxy is None:  # forward-mode targets have no Toxiproxy: nothing to reset
            return
        try:
            self.toxiproxy.reset()
        except InfrastructureError:
            raise
        except Exception as exc:  # noqa: BLE001 - any client failure here is the harness's, not the widget's
            raise InfrastructureError("toxiproxy", f"could not reset the proxies: {exc}") from exc


def _bound(ref: int | str | None, names: list[str]) -> int | None:
    if ref is None:
        return None
    found = resolve_step(ref, names)
    if isinstance(found, str):  # the loader rejects these; a model built by hand may not
        raise ValueError(found)
    return found
