"""Install a scenario's faults into both engines, heal them, and always clean up."""

from __future__ import annotations

from typing import Any

from harness.faults.http_addon import ChaosHttpFaults
from harness.faults.toxics import apply_tcp_fault, remove_tcp_fault
from harness.scenario.faults import HttpFault, TcpFault
from harness.scenario.model import Scenario
from harness.timeline import Timeline


class FaultDriver:
    """The one place a run touches the fault engines."""

    def __init__(self, http: ChaosHttpFaults, toxiproxy: Any, timeline: Timeline) -> None:
        self.http = http
        self.toxiproxy = toxiproxy
        self.timeline = timeline
        self.active_tcp: dict[str, TcpFault] = {}

    def install(self, scenario: Scenario) -> None:
        """Install every armed fault (the scenario was validated whole beforehand)."""
        self.http.install([], lambda kind, data: self.timeline.add(kind, data, source="proxy"))
        for fault in scenario.faults:
            if fault.armed:
                self.inject(fault)

    def inject(self, fault: HttpFault | TcpFault) -> None:
        if isinstance(fault, HttpFault):
            self.http.add(fault)
            self.timeline.add("fault.installed", {"fault": fault.id, "kind": "http:status"})
        else:
            stored = apply_tcp_fault(self.toxiproxy, fault)
            self.active_tcp[fault.id] = fault
            self.timeline.add("fault.installed", {"fault": fault.id, "kind": f"tcp:{fault.tcp.toxic}", **stored})

    def heal(self, fault_id: str) -> None:
        healed = self.http.heal(fault_id)
        tcp = self.active_tcp.pop(fault_id, None)
        if tcp is not None:
            remove_tcp_fault(self.toxiproxy, tcp)
            healed = True
        self.timeline.add("fault.healed", {"fault": fault_id, "found": healed})

    def clear(self) -> None:
        """Remove every fault, whatever happened in the scenario."""
        self.http.clear()
        self.active_tcp.clear()
        if self.toxiproxy is not None:  # forward-mode targets have no Toxiproxy
            self.toxiproxy.reset()
