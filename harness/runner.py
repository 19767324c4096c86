"""Drive one scenario: install faults, run steps on a page, evaluate, clean up.

Steady state → method → verdict, with the fault rollback always running.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from playwright.sync_api import BrowserContext, Page

from harness.assertions import ExpectationFailed, Failure, evaluate
from harness.faults.driver import FaultDriver
from harness.scenario import steps as model
from harness.scenario.model import Scenario
from harness.timeline import Timeline

CLOCK_TICK_MS = 100
REAL_WAIT_MS = 10
WALL_LIMIT_S = 60.0
LAUNCHER_NAME = "Open Dynamic Capital assistant"


class StepTimeout(AssertionError):
    """A wait's condition never held within its bound: the widget did not get there."""


@dataclass
class Run:
    scenario: Scenario
    context: BrowserContext
    base_url: str
    faults: FaultDriver
    timeline: Timeline
    page: Page | None = None

    def execute(self) -> None:
        """Run every step; raise :class:`ExpectationFailed` if the widget misbehaved."""
        self.timeline.add("run.start", {"scenario": self.scenario.id, "seed": self.scenario.seed})
        try:
            self.faults.install(self.scenario)
            for index, step in enumerate(self.scenario.steps):
                self.timeline.add("step.start", {"index": index, "step": step_name(step)})
                self.run_step(step)
        finally:
            self.faults.clear()
            self.timeline.add("run.end", {})
        failures = evaluate(self.scenario.expect, self.timeline)
        if failures:
            raise ExpectationFailed(failures, self.timeline)

    def run_step(self, step: model.Step) -> None:
        if isinstance(step, model.LoadPage):
            self.load(step.load_page.path)
        elif isinstance(step, model.OpenWidget):
            if self.page is None:
                self.load(step.open_widget.path)
            self.require_page().get_by_role("button", name=LAUNCHER_NAME).click()
        elif isinstance(step, model.Inject):
            fault = self.scenario.fault(step.inject)
            assert fault is not None  # the loader checked it
            self.faults.inject(fault)
        elif isinstance(step, model.WaitFor):
            self.wait_for_status(step.wait_for.status, step.wait_for.timeout_ms)
        elif isinstance(step, model.Heal):
            self.faults.heal(step.heal)
        else:  # pragma: no cover - the model admits no other step
            raise TypeError(f"unhandled step {step!r}")

    def load(self, path: str) -> None:
        if self.page is None:
            self.page = self.context.new_page()
            # Before the first navigation, so every timer the widget sets is virtual.
            self.page.clock.install()
        self.page.goto(self.base_url.rstrip("/") + path, wait_until="load")

    def current_status(self) -> str | None:
        statuses = self.timeline.statuses()
        return statuses[-1] if statuses else None

    def wait_for_status(self, wanted: str, timeout_ms: int) -> None:
        """Advance virtual time in ticks until the badge shows ``wanted``."""
        page = self.require_page()
        advanced = 0
        wall_deadline = time.monotonic() + WALL_LIMIT_S
        while self.current_status() != wanted:
            if advanced >= timeout_ms or time.monotonic() > wall_deadline:
                failure = Failure(
                    "wait_for.status",
                    f"the badge to reach '{wanted}' within {timeout_ms} ms of virtual time",
                    f"it stayed '{self.current_status()}' (after {advanced} ms virtual, "
                    f"statuses so far: {' → '.join(self.timeline.statuses()) or 'none'})",
                )
                raise ExpectationFailed([failure], self.timeline)
            page.clock.run_for(CLOCK_TICK_MS)
            advanced += CLOCK_TICK_MS
            page.wait_for_timeout(REAL_WAIT_MS)

    def require_page(self) -> Page:
        if self.page is None:
            raise ExpectationFailed(
                [Failure("steps", "open_widget before this step", "no page was open")], self.timeline
            )
        return self.page


def step_name(step: model.Step) -> str:
    return next(iter(step.model_dump(by_alias=True, exclude_defaults=False)))
