"""The driver: windows by step, heal, clean-up whatever happens, and the fault log."""

from __future__ import annotations

import time
from typing import Any

import pytest

from harness.faults import fault_kinds
from harness.faults.driver import FaultDriver
from harness.faults.http_addon import ChaosHttpFaults
from harness.infra.errors import InfrastructureError
from harness.scenario.loader import parse_scenario
from harness.scenario.model import Scenario
from harness.timeline import Timeline


class FakeToxiproxy:
    """Records calls; stores toxics like the server would."""

    def __init__(self, fail_reset: bool = False) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.toxics: dict[tuple[str, str], dict[str, Any]] = {}
        self.disabled: set[str] = set()
        self.fail_reset = fail_reset

    def add_toxic(
        self,
        proxy: str,
        *,
        name: str,
        type: str,
        stream: str = "downstream",
        toxicity: float = 1.0,
        attributes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        stored = {"name": name, "type": type, "stream": stream, "toxicity": toxicity, "attributes": attributes}
        self.toxics[(proxy, name)] = stored
        self.calls.append(("add", proxy, name))
        return stored

    def remove_toxic(self, proxy: str, name: str) -> None:
        self.toxics.pop((proxy, name), None)
        self.calls.append(("remove", proxy, name))

    def set_enabled(self, proxy: str, enabled: bool) -> None:
        (self.disabled.discard if enabled else self.disabled.add)(proxy)
        self.calls.append(("enabled", proxy, enabled))

    def reset(self) -> None:
        self.calls.append(("reset",))
        if self.fail_reset:
            raise ConnectionError("toxiproxy is gone")
        self.toxics.clear()
        self.disabled.clear()


SCENARIO = """\
id: windows
title: t
seed: 4
faults:
  - id: history-down
    http: {method: GET, path: /api/dynamic-ai/chat}
    respond: {status: 503}
  - id: slow
    tcp: {proxy: edge, toxic: latency, latency_ms: 200}
    from: 1
    until: 3
  - id: later
    http: {path: /x}
    reset: {}
    armed: false
  - id: edge-off
    tcp: {proxy: edge, toxic: down}
  - id: edge-off-too
    tcp: {proxy: edge, toxic: down}
    until: wait_for
steps:
  - load_page
  - open_widget
  - inject: later
  - wait_for: {status: error}
  - heal: history-down
  - add_fault: {id: added, tcp: {proxy: upstream, toxic: slicer, average_size: 10, size_variation: 2}}
"""


def driver_for(text: str = SCENARIO, **fake: Any) -> tuple[FaultDriver, Scenario, FakeToxiproxy, Timeline]:
    scenario = parse_scenario(text)
    toxiproxy = FakeToxiproxy(**fake)
    timeline = Timeline()
    return FaultDriver(ChaosHttpFaults(), toxiproxy, timeline), scenario, toxiproxy, timeline


def step(timeline: Timeline, index: int) -> None:
    timeline.add("step.start", {"index": index})


def test_faults_open_and_close_with_their_windows() -> None:
    driver, scenario, toxiproxy, timeline = driver_for()
    driver.install(scenario)
    assert toxiproxy.calls[0] == ("reset",)  # a clean slate first
    assert [r.fault.id for r in driver.http.rules] == ["history-down"]
    assert ("edge", "slow") not in toxiproxy.toxics and "edge" in toxiproxy.disabled
    step(timeline, 0)
    step(timeline, 1)
    assert ("edge", "slow") in toxiproxy.toxics
    step(timeline, 2)
    driver.inject(scenario.faults[2])
    assert [r.fault.id for r in driver.http.rules] == ["history-down", "later"]
    step(timeline, 3)
    assert ("edge", "slow") not in toxiproxy.toxics
    assert "edge" in toxiproxy.disabled  # off-too healed, but off still holds the proxy down
    driver.heal("edge-off")
    assert "edge" not in toxiproxy.disabled
    driver.clear()
    assert toxiproxy.calls[-1] == ("reset",) and driver.http.rules == []
    installed = [(e.data["fault"], e.data["reason"]) for e in timeline.events("fault.installed")]
    assert installed == [
        ("history-down", "start"),
        ("edge-off", "start"),
        ("edge-off-too", "start"),
        ("slow", "window: from step 1"),
        ("later", "inject"),
    ]
    healed = [(e.data["fault"], e.data["reason"]) for e in timeline.events("fault.healed")]
    assert healed[:3] == [
        ("slow", "window: until step 3"),
        ("edge-off-too", "window: until step 3"),
        ("edge-off", "heal"),
    ]
    assert {e.data["fault"] for e in timeline.events("fault.healed")[3:]} == {"history-down", "later"}
    assert all(e.data["kind"] for e in timeline.events("fault"))


def test_tcp_events_carry_what_the_server_stored() -> None:
    driver, scenario, _, timeline = driver_for()
    driver.install(scenario)
    step(timeline, 1)
    slow = next(e for e in timeline.events("fault.installed") if e.data["fault"] == "slow")
    assert slow.data["kind"] == "tcp:latency" and slow.data["engine"] == "toxiproxy"
    assert slow.data["attributes"] == {"latency": 200, "jitter": 0} and slow.data["proxy"] == "edge"


def test_proxy_events_go_to_the_timeline_with_the_page_clock() -> None:
    driver, scenario, _, timeline = driver_for()
    driver.install(scenario)
    timeline.add("ui.status", {"status": "idle"}, virtual_ms=1_000_000.0, source="page")
    driver._proxy_sink("fault.fired", {"fault": "history-down", "kind": "http:status"})
    fired = timeline.events("fault.fired")[0]
    assert fired.source == "proxy"
    assert fired.virtual_ms is not None and 1_000_000 <= fired.virtual_ms < 1_005_000


def test_clear_always_resets_toxiproxy_and_reports_an_unreachable_server() -> None:
    driver, scenario, toxiproxy, _ = driver_for(fail_reset=True)
    with pytest.raises(InfrastructureError, match="could not reset"):
        driver.clear()
    assert toxiproxy.calls == [("reset",)]


def test_healing_an_unknown_or_inactive_fault_is_logged_not_raised() -> None:
    driver, scenario, _, timeline = driver_for()
    driver.install(scenario)
    driver.heal("later")  # known, never injected
    driver.heal("nope")
    assert [e.data["found"] for e in timeline.events("fault.healed")] == [False, False]


def test_fault_kinds_lists_every_kind_once_including_added_faults() -> None:
    _, scenario, _, _ = driver_for()
    assert fault_kinds(scenario) == ["http:reset", "http:status", "tcp:down", "tcp:latency", "tcp:slicer"]


def test_the_addon_reads_the_pages_clock_through_the_driver() -> None:
    driver, scenario, _, timeline = driver_for()
    driver.install(scenario)
    assert driver.http.clock is not None and abs(driver.http.clock() - time.time()) < 5  # no page reading yet
    timeline.add("ui.status", {"status": "idle"}, virtual_ms=4_000_000_000_000.0, source="page")
    assert 4_000_000_000 <= driver.http.clock() < 4_000_000_005


def test_a_fault_added_by_a_step_closes_at_its_until_step() -> None:
    text = (
        "id: added\ntitle: t\nsteps:\n  - open_widget\n"
        "  - add_fault: {id: late, http: {path: /x}, reset: {}, until: 2}\n"
        "  - wait_for: {status: error}\n"
    )
    driver, scenario, _, timeline = driver_for(text)
    driver.install(scenario)
    step(timeline, 1)
    added = scenario.steps[1].add_fault  # type: ignore[union-attr]
    driver.inject(added)
    assert [r.fault.id for r in driver.http.rules if not r.healed] == ["late"]
    step(timeline, 2)
    assert [r.fault.id for r in driver.http.rules if not r.healed] == []
    assert timeline.events("fault.healed")[-1].data["reason"] == "window: until step 2"


def test_a_target_without_toxiproxy_runs_http_faults_and_refuses_tcp_ones() -> None:
    scenario = parse_scenario(SCENARIO)
    timeline = Timeline()
    driver = FaultDriver(ChaosHttpFaults(), None, timeline)
    http_only = scenario.model_copy(update={"faults": [scenario.faults[0]]})
    driver.install(http_only)
    driver.clear()  # nothing to reset, nothing raised
    with pytest.raises(InfrastructureError, match="no Toxiproxy"):
        driver.inject(scenario.faults[1])


def test_a_failure_the_page_saw_reaches_the_addon() -> None:
    driver, scenario, _, timeline = driver_for()
    driver.install(scenario)
    seen: list[tuple[str, str]] = []
    driver.http.page_saw_failure = lambda method, path: seen.append((method, path))  # type: ignore[method-assign]
    timeline.add(
        "net.error", {"method": "GET", "url": "/api/dynamic-ai/chat?sessionId=1"}, virtual_ms=1.0, source="page"
    )
    assert seen == [("GET", "/api/dynamic-ai/chat?sessionId=1")]
