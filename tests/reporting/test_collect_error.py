"""A test module that does not even import is reported by pytest, not crashed on by our plugin."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness.infra.paths import PROJECT_ROOT


def test_a_collection_error_is_pytests_to_report(tmp_path: Path) -> None:
    (tmp_path / "test_broken.py").write_text("def test_x(:\n")
    done = subprocess.run([sys.executable, "-m", "pytest", str(tmp_path), "-q", "-p", "no:cacheprovider",
                           "--output", str(tmp_path / "out")], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert "1 error" in done.stdout and "AttributeError" not in done.stdout + done.stderr
