"""Flake hunting: the verdicts of one suite run N times, and which of them changed.

A scenario is flaky when its verdict differs between repetitions (passed once,
failed or broken another time). Skips are not verdicts about the widget and do
not count. The figures go to ``repeat.json`` beside the results, so a long flake
hunt can be read back and quoted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

SHORT = {"passed": "P", "widget regression": "F", "broken infrastructure": "B", "invalid scenario": "I",
         "skipped": "s",
         "interrupted": "-"}


@dataclass
class RepeatRun:
    """Verdicts per scenario node id, one list entry per repetition that ran it."""

    order_seeds: list[int | None] = field(default_factory=list)
    verdicts: dict[str, list[str]] = field(default_factory=dict)
    workers: str | None = None
    interrupted: bool = False

    def add(self, order_seed: int | None, verdicts: dict[str, str]) -> None:
        self.order_seeds.append(order_seed)
        for node, verdict in verdicts.items():
            self.verdicts.setdefault(node, []).append(verdict)

    @property
    def repetitions(self) -> int:
        return len(self.order_seeds)

    def flaky(self) -> dict[str, list[str]]:
        """Scenarios whose verdict changed between repetitions."""
        return {node: seen for node, seen in sorted(self.verdicts.items())
                if len({v for v in seen if v not in ("skipped", "interrupted")}) > 1}

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for seen in self.verdicts.values():
            for verdict in seen:
                totals[verdict] = totals.get(verdict, 0) + 1
        return totals

    def render(self) -> str:
        flaky = self.flaky()
        order = ("random order, seeds " + ", ".join(str(s) for s in self.order_seeds)
                 if any(s is not None for s in self.order_seeds) else "file order")
        counts = ", ".join(f"{n} {v}" for v, n in sorted(self.counts().items()))
        lines = [
            f"repeat: {self.repetitions} repetition(s) × {len(self.verdicts)} scenario(s)"
            f"{' with -n ' + self.workers if self.workers else ', serial'}; {order}",
            f"  {sum(len(v) for v in self.verdicts.values())} scenario runs: {counts or 'none'}",
        ]
        if self.interrupted:
            lines.append("  interrupted: the figures cover the repetitions that ran")
        if not flaky:
            lines.append(f"  no scenario changed verdict ({len(self.verdicts)} stable)")
            return "\n".join(lines)
        lines.append(f"  {len(flaky)} scenario(s) changed verdict (P passed, F widget regression, B broken):")
        width = max(len(n) for n in flaky)
        for node, seen in flaky.items():
            lines.append(f"    {node:<{width}}  {''.join(SHORT.get(v, '?') for v in seen)}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        return {"repetitions": self.repetitions, "workers": self.workers, "order_seeds": self.order_seeds,
                "interrupted": self.interrupted, "counts": self.counts(), "flaky": self.flaky(),
                "verdicts": self.verdicts}

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")
