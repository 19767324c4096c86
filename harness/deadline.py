"""A scenario's wall-clock bound.

Every wait and every Playwright action already has its own bound; the deadline
bounds their sum, so a scenario can never hold a worker forever. It is checked
at safe points (between steps, on every tick of a wait), so the scenario ends
with an exception and its teardown runs like after any other failure. A
process-level watchdog (``faulthandler``) backs it up should the harness
itself wedge somewhere no check is reached.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from harness.infra.errors import InfrastructureError

DEFAULT_TIMEOUT_S = 180.0
WATCHDOG_GRACE_S = 60.0  # beyond the deadline, the watchdog dumps stacks and ends the worker


class ScenarioTimeout(InfrastructureError):
    """The scenario outlived its wall-clock bound: broken, never a widget verdict."""


@dataclass
class Deadline:
    seconds: float
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    def check(self, where: str) -> None:
        """Raise :class:`ScenarioTimeout` once the bound is spent."""
        if self.elapsed_s > self.seconds:
            raise ScenarioTimeout(
                "scenario",
                f"exceeded its wall-clock bound of {self.seconds:g} s (at {where}, after {self.elapsed_s:.1f} s)",
                "the harness or the machine is stuck (see the timeline and the worker's logs); if the scenario is "
                "legitimately long, raise the bound with --timeout S",
            )


class Watchdog:
    """Dumps every thread's stack and ends the process if a scenario wedges past its deadline.

    Ending the process is safe: every child the harness starts dies with its
    parent (``PR_SET_PDEATHSIG``), and xdist reports the worker as crashed. The
    stacks go to a file of their own in the temporary folder (named on stderr
    first), never into a folder another tool may clean while the scenario runs.
    """

    def __init__(self, seconds: float, label: str) -> None:
        self.seconds = seconds
        self.label = label
        self._file: IO[str] | None = None
        self.path: Path | None = None

    def __enter__(self) -> Watchdog:
        handle, name = tempfile.mkstemp(prefix="chaos-watchdog-", suffix=".txt")
        self.path = Path(name)
        self._file = os.fdopen(handle, "w")
        self._file.write(f"chaos-harness watchdog: {self.label} passed its deadline by {WATCHDOG_GRACE_S:g} s\n")
        self._file.flush()
        faulthandler.dump_traceback_later(self.seconds + WATCHDOG_GRACE_S, exit=True, file=self._file)
        return self

    def __exit__(self, *exc: object) -> None:
        faulthandler.cancel_dump_traceback_later()
        if self._file is not None:
            self._file.close()
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
