"""Evaluate an ``expect`` block against a timeline: every check reads events only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


Checker = Callable[[Any, Timeline], list[Failure]]


def evaluate(expect: Expect, timeline: Timeline) -> list[Failure]:
    """Run every check the block asks for; collect all failures, not just the first."""
    from harness.assertions import console, network, server, status, telemetry, toasts, ui

    checks: list[tuple[Any, Checker]] = [
        (expect.status, status.check_status),
        (expect.toasts, toasts.check_toasts),
        (expect.retry_cta, ui.check_retry_cta),
        (expect.fallback, ui.check_fallback),
        (expect.messages, ui.check_messages),
        (expect.requests or None, network.check_requests),
        (expect.rate_limit, network.check_rate_limit),
        (expect.analytics or None, telemetry.check_analytics),
        (expect.telemetry, telemetry.check_telemetry),
        (expect.console, console.check_console),
        (expect.server, server.check_server),
        (expect, ui.check_page_facts),
    ]
    failures: list[Failure] = []
    for spec, check in checks:
        if spec is not None:
            failures.extend(check(spec, timeline))
    return failures
