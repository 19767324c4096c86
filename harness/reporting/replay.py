"""The one command that replays a run: same file, same seed, same target (and defect)."""

from __future__ import annotations

import shlex
from pathlib import Path

CLI = ".venv/bin/chaos-harness"


def replay_command(
    scenario_file: Path, *, seed: int, target: str, regression: str | None = None, root: Path | None = None
) -> str:
    """``.venv/bin/chaos-harness run <file> --seed N --target T``, run from the project root.

    The seed fixes every random draw (fault probabilities, jitter, the page's
    ``Math.random``), so the replay takes the same path as the original run.
    """
    path = scenario_file
    if root is not None:
        try:
            path = scenario_file.resolve().relative_to(root.resolve())
        except ValueError:
            path = scenario_file.resolve()
    argv = [CLI, "run", str(path), "--seed", str(seed), "--target", target]
    if regression:
        argv += ["--regression", regression]
    return shlex.join(argv)
