"""Scenario overhead and virtual-time compression (``make bench``).

1. The same flow (history answered 503, the badge reaches ``error``) as a
   chaos-harness scenario (mitmproxy → Toxiproxy → app, probes, timeline,
   expectations) and as a bare Playwright test that injects the 503 with
   ``page.route`` against the app directly. Same browser, same run, alternated,
   so drift hits both. Target: the harness at most 1.5× the bare test.
2. Virtual-time compression of the longest backoff scenario
   (``send-outage-minute``): page-clock time covered ÷ real time taken.
   Target: at least 30×.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Route, expect, sync_playwright

from harness.browser.chromium import LAUNCH_ARGS, chromium_executable
from harness.browser.probes import install_probes
from harness.faults.driver import FaultDriver
from harness.faults.http_addon import ChaosHttpFaults
from harness.infra.paths import PROJECT_ROOT
from harness.infra.stacks import Stack, start_stack
from harness.runner import Run
from harness.scenario import load_scenario
from harness.scenario.model import Scenario
from harness.targets import TargetProfile, resolve_target
from harness.timeline import Timeline
from harness.timeline.flow_recorder import FlowRecorder, Routes

ROUNDS = 15
FLOW = PROJECT_ROOT / "scenarios" / "history" / "history-503.yaml"
LONGEST = PROJECT_ROOT / "scenarios" / "send" / "send-outage-minute.yaml"


def run_scenario(
    browser: Browser,
    scenario: Scenario,
    profile: TargetProfile,
    stack: Stack,
    http: ChaosHttpFaults,
    recorder: FlowRecorder,
    artifacts: Path,
) -> Timeline:
    timeline = Timeline()
    recorder.attach(lambda kind, data: timeline.add(kind, data, source="proxy"), Routes())
    context = browser.new_context()
    try:
        install_probes(context, timeline, profile, seed=scenario.seed)
        Run(
            scenario,
            profile,
            context,
            stack.base_url,
            FaultDriver(http, stack.toxiproxy, timeline),
            timeline,
            artifacts,
        ).execute()
    finally:
        context.close()
        recorder.attach(None)
    return timeline


def run_bare(browser: Browser, app_url: str) -> None:
    """What a team would write by hand: page.route injects the 503, no proxies, no probes."""
    context = browser.new_context()
    try:
        page = context.new_page()

        def fail_history(route: Route) -> None:
            if route.request.method == "GET":
                route.fulfill(status=503, json={"ok": False, "error": "upstream down"})
            else:
                route.continue_()

        page.route("**/api/dynamic-ai/chat?*", fail_history)
        page.clock.install()
        page.goto(app_url, wait_until="load")
        page.get_by_role("button", name="Open Dynamic Capital assistant").click()
        expect(page.locator("[data-sync-status]")).to_have_attribute("data-sync-status", "error")
    finally:
        context.close()


def main() -> None:
    profile = resolve_target("reference")
    flow, longest = load_scenario(FLOW), load_scenario(LONGEST)
    http, recorder = ChaosHttpFaults(), FlowRecorder()
    work = Path(tempfile.mkdtemp(prefix="chaos-bench-"))
    executable = chromium_executable()  # before sync_playwright: it starts a driver of its own
    launch: dict[str, Any] = {"args": list(LAUNCH_ARGS)}
    if executable is not None:
        launch["executable_path"] = str(executable)
    with start_stack(profile, [recorder, http], work) as stack, sync_playwright() as pw:
        browser = pw.chromium.launch(**launch)
        assert stack.app_url is not None
        # Warm both paths once (browser caches, Python imports, server start-up).
        run_scenario(browser, flow, profile, stack, http, recorder, work)
        run_bare(browser, stack.app_url)
        harness_s: list[float] = []
        bare_s: list[float] = []
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            run_scenario(browser, flow, profile, stack, http, recorder, work)
            harness_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            run_bare(browser, stack.app_url)
            bare_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        timeline = run_scenario(browser, longest, profile, stack, http, recorder, work)
        wall = time.perf_counter() - t0
        browser.close()
    h, b = statistics.median(harness_s), statistics.median(bare_s)
    print(
        f"scenario '{flow.id}' through the harness: median {h * 1000:.0f} ms over {ROUNDS} runs "
        f"(min {min(harness_s) * 1000:.0f}, max {max(harness_s) * 1000:.0f})"
    )
    print(
        f"same flow, bare Playwright + page.route:  median {b * 1000:.0f} ms "
        f"(min {min(bare_s) * 1000:.0f}, max {max(bare_s) * 1000:.0f})"
    )
    print(f"overhead ratio: {h / b:.2f}× (target ≤ 1.5×)")
    page_times = [e.virtual_ms for e in timeline.events() if e.virtual_ms is not None]
    span = (max(page_times) - min(page_times)) / 1000 if page_times else 0.0
    print(
        f"virtual time: '{longest.id}' covered {span:.1f} s of page time in {wall:.2f} s real: "
        f"{span / wall:.0f}× compression (target ≥ 30×)"
    )


if __name__ == "__main__":
    main()
