"""Classify a scenario's outcome: passed, widget regression, broken, invalid.

An infrastructure failure is never a widget verdict and never a pass.
"""

from __future__ import annotations

from enum import StrEnum

from harness.infra.errors import InfrastructureError
from harness.scenario.errors import ScenarioError


class Verdict(StrEnum):
    PASSED = "passed"
    REGRESSION = "widget regression"
    BROKEN = "broken infrastructure"
    INVALID = "invalid scenario"
    SKIPPED = "skipped"
    INTERRUPTED = "interrupted"  # Ctrl-C or SIGTERM cut it short: no verdict either way


# CLI exit codes, most severe first when a run has several kinds.
EXIT_CODES: dict[Verdict, int] = {
    Verdict.INVALID: 2,
    Verdict.BROKEN: 3,
    Verdict.REGRESSION: 1,
    Verdict.PASSED: 0,
    Verdict.SKIPPED: 0,
    Verdict.INTERRUPTED: 0,  # the CLI exits 130 for an interrupted run
}


def classify(exc: BaseException | None) -> Verdict:
    """The verdict a scenario's exception (or ``None``) stands for."""
    from harness.assertions import ExpectationFailed

    if exc is None:
        return Verdict.PASSED
    if isinstance(exc, KeyboardInterrupt):
        return Verdict.INTERRUPTED
    if isinstance(exc, ScenarioError):
        return Verdict.INVALID
    if isinstance(exc, ExpectationFailed):
        return Verdict.REGRESSION
    if isinstance(exc, InfrastructureError):
        return Verdict.BROKEN
    # Anything else is the harness itself misbehaving (or Playwright's browser
    # dying): not something the widget did.
    return Verdict.BROKEN


def exit_code(verdicts: list[Verdict]) -> int:
    for verdict in (Verdict.INVALID, Verdict.BROKEN, Verdict.REGRESSION):
        if verdict in verdicts:
            return EXIT_CODES[verdict]
    return 0
