"""The HTTP fault addon, driven with mitmproxy's own test helpers (no live proxy)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons, tflow, tutils

from harness.faults.http_addon import ChaosHttpFaults
from harness.scenario.faults import HttpFault


def fault(**overrides: Any) -> HttpFault:
    spec: dict[str, Any] = {
        "id": "down",
        "http": {"method": "GET", "path": "/api/dynamic-ai/chat"},
        "respond": {"status": 503, "json": {"ok": False, "error": "down"}},
    }
    spec.update(overrides)
    return HttpFault.model_validate(spec)


def flow(method: str = "GET", path: str = "/api/dynamic-ai/chat?sessionId=1") -> Any:
    return tflow.tflow(req=tutils.treq(method=method.encode(), path=path.encode()))


def run(addon: ChaosHttpFaults, f: Any) -> Any:
    asyncio.run(addon.request(f))
    return f


def test_matching_request_gets_the_fault_response() -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    addon = ChaosHttpFaults()
    addon.install([fault()], lambda kind, data: events.append((kind, data)))
    f = run(addon, flow())
    assert f.response is not None
    assert f.response.status_code == 503
    assert json.loads(f.response.content) == {"ok": False, "error": "down"}
    assert f.response.headers["x-chaos-fault"] == "down"
    assert events[0][0] == "fault.fired" and events[0][1]["fault"] == "down"


def test_other_methods_and_paths_pass_through() -> None:
    addon = ChaosHttpFaults()
    addon.install([fault()], None)
    assert run(addon, flow(method="POST")).response is None
    assert run(addon, flow(path="/other")).response is None


def test_times_limits_firing_and_heal_stops_it() -> None:
    addon = ChaosHttpFaults()
    addon.install([fault(times=1)], None)
    assert run(addon, flow()).response is not None
    assert run(addon, flow()).response is None
    addon.install([fault()], None)
    addon.heal("down")
    assert run(addon, flow()).response is None
    assert addon.counts() == {"down": (1, 0)}


def test_glob_paths_match() -> None:
    addon = ChaosHttpFaults()
    addon.install([fault(http={"path": "/api/*"})], None)
    assert run(addon, flow(method="POST", path="/api/analytics")).response is not None


def test_standalone_option_loads_a_scenario_file(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "id: s\ntitle: t\nsteps: [open_widget]\nfaults:\n"
        "  - id: down\n    http: {path: /x}\n    respond: {status: 502}\n"
    )
    addon = ChaosHttpFaults()

    async def configure() -> None:  # inside a running loop, so taddons leaks no loop of its own
        with taddons.context(addon) as tctx:  # type: ignore[no-untyped-call]
            tctx.configure(addon, chaos_faults=str(scenario))

    asyncio.run(configure())
    assert [r.fault.id for r in addon.rules] == ["down"]


def test_an_invalid_file_is_an_options_error_naming_the_option(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("id: s\ntitle: t\nsteps: [open_widget]\nfaults: [{id: x, http: {path: /x}}]\n")
    addon = ChaosHttpFaults()

    async def configure() -> None:
        with taddons.context(addon) as tctx:  # type: ignore[no-untyped-call]
            tctx.configure(addon, chaos_faults=str(scenario))

    with pytest.raises(exceptions.OptionsError, match="chaos_faults"):
        asyncio.run(configure())
