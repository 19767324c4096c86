"""Chromium's silent resend, live: why a connection-level "fail once" hides, and how `reset` shows it.

The page warms one kept-alive connection with sequential requests, then fetches
the history on it. Chromium resends a request once when a reused connection
closes without a response, so with `browser_retry: pass` the page never sees the
reset; with the default the resend is reset too and the page's fetch fails once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.faults.http_addon import ChaosHttpFaults
from harness.infra.topology import Topology, reference_topology
from harness.scenario.faults import HttpFault
from tests.faults.helpers import CHAT, Recorder

pytestmark = pytest.mark.e2e

FETCH_ON_A_WARM_CONNECTION = """async (path) => {
  for (let i = 0; i < 3; i += 1) await (await fetch('/healthz')).text();  // one idle kept-alive connection
  try { const r = await fetch(path); await r.text(); return r.status; } catch (e) { return String(e); }
}"""


@pytest.fixture(scope="module")
def addon() -> ChaosHttpFaults:
    return ChaosHttpFaults()


@pytest.fixture(scope="module")
def topo(addon: ChaosHttpFaults, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    with reference_topology([addon], tmp_path_factory.mktemp("resend-live")) as topology:
        yield topology


def fetch_once_reset(browser: Any, topo: Topology, addon: ChaosHttpFaults, browser_retry: str) -> tuple[Any, Recorder]:
    log = Recorder()
    fault = {
        "id": "once",
        "http": {"method": "GET", "path": CHAT},
        "reset": {"browser_retry": browser_retry},
        "times": 1,
    }
    addon.install([HttpFault.model_validate(fault)], log)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(topo.base_url + "/healthz")
        outcome = page.evaluate(FETCH_ON_A_WARM_CONNECTION, f"{CHAT}?sessionId=resend-{browser_retry}")
    finally:
        context.close()
        addon.clear()
    return outcome, log


def test_a_reset_once_is_invisible_to_the_page_when_the_resend_passes(
    browser: Any, topo: Topology, addon: ChaosHttpFaults
) -> None:
    outcome, log = fetch_once_reset(browser, topo, addon, "pass")
    reset = log.of("fault.applied")[0]
    assert reset["earlier_requests_on_connection"] >= 1 and reset["browser_resend_expected"] is False
    assert [e["reason"] for e in log.of("fault.passed")] == ["times"]  # Chromium's resend went through
    assert outcome == 200  # the page never knew


def test_the_reset_fault_absorbs_the_resend_so_the_page_sees_one_failure(
    browser: Any, topo: Topology, addon: ChaosHttpFaults
) -> None:
    outcome, log = fetch_once_reset(browser, topo, addon, "reset")
    assert log.of("fault.applied")[0]["browser_resend_expected"] is True
    assert log.of("fault.fired")[-1].get("browser_retry") is True
    assert isinstance(outcome, str) and "Failed to fetch" in outcome
