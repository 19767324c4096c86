"""Uncaught errors in the page."""

from __future__ import annotations

from harness.assertions.base import Failure
from harness.scenario.expect import ConsoleExpect
from harness.timeline import Timeline


def check_console(spec: ConsoleExpect, timeline: Timeline) -> list[Failure]:
    errors = timeline.events("console.page_error")
    if spec.uncaught_errors is not None and len(errors) > spec.uncaught_errors:
        first = errors[0]
        return [
            Failure(
                "expect.console.uncaught_errors",
                f"at most {spec.uncaught_errors} uncaught error(s)",
                f"{len(errors)}, first: {first.data.get('message')}",
                around_seq=first.seq,
            )
        ]
    return []
