"""A test-only pytest plugin: a widget that is healthy on odd runs and defective on even ones.

``CHAOS_FLIP_COUNTER`` names a file counting the pytest runs that loaded this
plugin; every second run serves the reference widget with a catalogued defect
switched on. The scenarios' verdicts genuinely change between repetitions, as
a flaky widget's would, so ``run --repeat`` must notice.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DEFECT = "idle-connected-same-badge"


def pytest_configure(config: pytest.Config) -> None:
    counter = os.environ.get("CHAOS_FLIP_COUNTER")
    if not counter or hasattr(config, "workerinput"):
        return
    path = Path(counter)
    runs = int(path.read_text()) if path.is_file() else 0
    path.write_text(str(runs + 1))
    if runs % 2 == 1:
        config.option.chaos_regression = DEFECT
