"""The watchdog behind the scenario deadline: a wedged worker dumps its stacks and ends."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from harness.deadline import Watchdog

WEDGED = """
import time
import harness.deadline as d
d.WATCHDOG_GRACE_S = 0.2
with d.Watchdog(0.1, "wedged-scenario") as w:
    print(w.path, flush=True)
    time.sleep(30)  # never checks its deadline
"""


def test_a_wedged_scenario_is_ended_with_its_stacks_kept() -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", WEDGED], capture_output=True, text=True, timeout=60)
    assert time.monotonic() - started < 20
    assert done.returncode != 0
    stacks = Path(done.stdout.strip())
    text = stacks.read_text()
    stacks.unlink()
    assert "wedged-scenario passed its deadline" in text
    assert 'File "<string>", line 7 in <module>' in text  # where it was stuck: the sleep


def test_a_scenario_that_ends_in_time_leaves_no_file() -> None:
    with Watchdog(60, "quick") as watchdog:
        path = watchdog.path
    assert path is not None and not path.exists()
