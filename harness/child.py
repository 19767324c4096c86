"""Run pytest as a child the CLI can always stop, and whose results survive a stop.

The child gets its own session, so a terminal's Ctrl-C reaches only the CLI,
which then forwards exactly one SIGINT to the child's whole process group
(pytest, xdist workers): pytest unwinds, tears the stacks down and writes the
results it has. A second Ctrl-C (or the grace running out) kills the group.
The child dies with the CLI if the CLI itself is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from harness.infra.process import die_with_parent

UNWIND_GRACE_S = 120.0


@dataclass
class ChildResult:
    code: int
    interrupted: bool


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run_pytest(argv: Sequence[str]) -> ChildResult:
    """Run ``argv``; on Ctrl-C or SIGTERM let it unwind (bounded), then report the interruption."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        proc = subprocess.Popen(list(argv), preexec_fn=_prepare_child)  # noqa: PLW1509
        try:
            return ChildResult(proc.wait(), interrupted=False)
        except KeyboardInterrupt:
            print("\nchaos-harness: interrupted; letting the scenarios tear down and write their results "
                  "(Ctrl-C again to kill them)", file=sys.stderr, flush=True)
            _interrupt_pythons(proc.pid)
            try:
                code = proc.wait(timeout=UNWIND_GRACE_S)
            except (KeyboardInterrupt, subprocess.TimeoutExpired):
                _signal_group(proc, signal.SIGKILL)
                code = proc.wait()
            return ChildResult(code, interrupted=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _prepare_child() -> None:
    """Own session, death with the CLI, and a SIGINT that works.

    A shell starts background jobs with SIGINT ignored, and an ignored signal
    stays ignored across exec: the forwarded SIGINT would then do nothing.
    """
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt_pythons(root: int) -> None:
    """SIGINT pytest and its xdist workers, not the browsers, drivers and servers they drive.

    A terminal's Ctrl-C would reach Chromium too, which then dies under the
    scenario's feet and the teardown (trace, context) fails noisily. The app
    server and the engine are Python too, but run in their own sessions: left
    alone, they are stopped by the teardown instead of dying mid-scenario.
    """
    group = _pgid(root)
    targets = [pid for pid in _descendants(root) if _is_python(pid) and _pgid(pid) == group]
    for pid in [root, *targets]:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGINT)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def _is_python(pid: int) -> bool:
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return False
    return Path(exe).name.startswith("python")


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)
