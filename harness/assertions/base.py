"""Evaluate a scenario's ``expect`` block against a timeline."""

from __future__ import annotations

from dataclasses import dataclass

from harness.assertions.status import check_status
from harness.scenario.expect import Expect
from harness.timeline import Timeline


@dataclass(frozen=True)
class Failure:
    """One unmet expectation, in domain words."""

    expectation: str  # e.g. ``expect.status.final``
    expected: str
    actual: str
    around_seq: int | None = None

    def render(self) -> str:
        return f"{self.expectation}: expected {self.expected}\n    but saw {self.actual}"


class ExpectationFailed(AssertionError):
    """The widget misbehaved: one or more expectations failed (a widget regression)."""

    def __init__(self, failures: list[Failure], timeline: Timeline) -> None:
        self.failures = failures
        self.timeline = timeline
        around = next((f.around_seq for f in failures if f.around_seq is not None), None)
        text = "\n".join(f.render() for f in failures)
        super().__init__(f"{text}\n\n  timeline:\n{timeline.excerpt(around)}")


def evaluate(expect: Expect, timeline: Timeline) -> list[Failure]:
    failures: list[Failure] = []
    if expect.status is not None:
        failures.extend(check_status(expect.status, timeline))
    return failures
