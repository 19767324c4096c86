"""The table ``chaos-harness run`` prints at the end: one line per scenario, failures last."""

from __future__ import annotations

from collections.abc import Sequence

from harness.reporting.notebook import MARKS, first_failure, headline
from harness.reporting.results import Outcome

SEVERITY = {"passed": 0, "skipped": 1, "interrupted": 1, "widget regression": 3, "invalid scenario": 4,
            "broken infrastructure": 5}


def summary_table(runs: Sequence[Outcome], width: int = 120) -> str:
    """Aligned columns: verdict, scenario, duration, the first failing expectation (cut to ``width``)."""
    if not runs:
        return "no scenario result to summarise"
    rows = sorted(runs, key=lambda o: (SEVERITY.get(o.verdict, 2), o.start))
    verdict_w = max(len(_verdict(o)) for o in rows) + 2
    id_w = min(max(len(o.scenario_id) for o in rows), 44)
    lines = [f"  {'verdict':<{verdict_w}}  {'scenario':<{id_w}}  {'time':>7}  first failing expectation / error"]
    for o in rows:
        head = f"  {_verdict(o):<{verdict_w}}  {o.scenario_id[:id_w]:<{id_w}}  {o.duration_s:>6.1f}s  "
        detail = first_failure(o).replace("`", "") if o.verdict not in ("passed", "skipped") else ""
        room = max(width - len(head), 20)
        lines.append((head + (detail if len(detail) <= room else detail[: room - 1] + "…")).rstrip())
    lines.append("")
    lines.append(f"{len(rows)} scenario(s): {headline(rows)}")
    return "\n".join(lines)


def _verdict(o: Outcome) -> str:
    text = f"{MARKS.get(o.verdict, '?')} {o.verdict}"
    return text + " (flaky)" if o.flaky else text
