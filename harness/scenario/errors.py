"""Errors a person can act on: file, line, field path, what is wrong, how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: str  # dotted field path, e.g. ``faults[0].tcp.latency_ms``
    line: int | None
    message: str
    hint: str = ""

    def render(self) -> str:
        where = self.path or "(document)"
        if self.line is not None:
            where += f" (line {self.line})"
        text = f"  {where}: {self.message}"
        if self.hint:
            text += "\n    " + self.hint
        return text


class ScenarioError(Exception):
    """A scenario file is invalid; carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, file: Path | str, problems: list[Problem], what: str = "scenario") -> None:
        self.file = str(file)
        self.problems = problems
        self.what = what
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        head = f"{self.file}: invalid {self.what} ({count} problem{'s' if count != 1 else ''})"
        return head + "\n\n" + "\n".join(p.render() for p in self.problems)
