"""The harness's own failures, kept apart from widget verdicts."""

from __future__ import annotations


class InfrastructureError(RuntimeError):
    """A component of the harness failed (would not start, crashed, port taken).

    Never a widget verdict: the runner reports it as *broken*, exit code 3.
    ``component`` names what failed and ``fix`` says what a person can do.
    """

    def __init__(self, component: str, problem: str, fix: str = "") -> None:
        self.component = component
        self.problem = problem
        self.fix = fix
        text = f"{component}: {problem}"
        if fix:
            text += f"\n  fix: {fix}"
        super().__init__(text)
