"""A harness failure is reported as broken infrastructure: never a widget verdict, never a pass.

Each case runs a real scenario in a pytest subprocess with one component missing
or killed, and reads the verdict the plugin recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.infra.paths import PROJECT_ROOT

pytestmark = pytest.mark.e2e

SCENARIO = "scenarios/baseline/mount-fresh.yaml"


def run_scenario(tmp_path: Path, env: dict[str, str], *extra: str) -> tuple[str, str]:
    summary = tmp_path / "summary.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", SCENARIO, "-q", "-p", "no:cacheprovider", "--chaos-summary", str(summary),
         "--output", str(tmp_path / "out"), *extra],
        cwd=PROJECT_ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
    )
    verdicts = json.loads(summary.read_text())["scenarios"] if summary.is_file() else {}
    return next(iter(verdicts.values()), "no verdict"), done.stdout + done.stderr


@pytest.mark.parametrize("component", ["app", "engine", "toxiproxy", "mitmproxy"])
def test_a_component_dying_mid_run_is_broken_not_a_widget_failure(tmp_path: Path, component: str) -> None:
    verdict, output = run_scenario(tmp_path, {"CHAOS_KILL": component}, "-p", "tests.infra.kill_component")
    assert verdict == "broken infrastructure", output[-3000:]
    assert "broken infrastructure (not a widget verdict)" in output


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"CHAOS_TOXIPROXY": "/nonexistent/toxiproxy-server"}, "toxiproxy: CHAOS_TOXIPROXY=/nonexistent"),
        ({"CHAOS_CHROMIUM": "/nonexistent/chrome"}, "chromium: CHAOS_CHROMIUM=/nonexistent/chrome does not exist"),
    ],
    ids=["toxiproxy-missing", "chromium-missing"],
)
def test_a_component_that_cannot_start_is_broken_with_a_fix(tmp_path: Path, env: dict[str, str], says: str) -> None:
    verdict, output = run_scenario(tmp_path, env)
    assert verdict == "broken infrastructure", output[-3000:]
    assert says in output
    assert "fix:" in output


@pytest.mark.parametrize(
    ("block", "says"),
    [("toxiproxy-port", "address already in use"), ("app", "app: "), ("engine", "engine: ")],
    ids=["toxiproxy-port-taken", "app-cannot-start", "engine-cannot-start"],
)
def test_a_component_kept_from_starting_is_broken(tmp_path: Path, block: str, says: str) -> None:
    verdict, output = run_scenario(tmp_path, {"CHAOS_BLOCK": block}, "-p", "tests.infra.block_component")
    assert verdict == "broken infrastructure", output[-3000:]
    assert says in output
