"""Status expectations: the badge's sequence and its final state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.scenario.expect import StatusExpect
from harness.timeline import Timeline

if TYPE_CHECKING:
    from harness.assertions.base import Failure


def _arrow(statuses: list[str]) -> str:
    return " → ".join(statuses) if statuses else "(no status at all)"


def check_status(spec: StatusExpect, timeline: Timeline) -> list[Failure]:
    from harness.assertions.base import Failure

    seen = timeline.statuses()
    failures: list[Failure] = []
    if spec.sequence is not None and list(spec.sequence) != seen:
        failures.append(Failure("expect.status.sequence", _arrow(list(spec.sequence)), _arrow(seen)))
    if spec.final is not None:
        final = seen[-1] if seen else None
        if final != spec.final:
            failures.append(
                Failure(
                    "expect.status.final",
                    f"the badge to end in '{spec.final}'",
                    f"it ended in '{final}' ({_arrow(seen)})",
                )
            )
    return failures
