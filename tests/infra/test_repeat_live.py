"""``run --repeat``: a verdict that changes between repetitions is reported and marked flaky in Allure."""

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


def run_cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", SCENARIO, "--reports", str(tmp_path / "reports"), *args],
        cwd=PROJECT_ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=600,
    )


def test_a_verdict_that_flips_is_reported_flaky(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "--repeat", "3", "--random-order", "--order-seed", "11", "--no-report",
                   "--", "-p", "tests.infra.alternate_regression",
                   env={"CHAOS_FLIP_COUNTER": str(tmp_path / "runs")})
    assert done.returncode == 1, done.stdout + done.stderr
    hunt = json.loads((tmp_path / "reports" / "repeat.json").read_text())
    node = f"{SCENARIO}::mount-fresh"
    assert hunt["repetitions"] == 3 and hunt["order_seeds"] == [11, 12, 13]
    assert hunt["flaky"] == {node: ["passed", "widget regression", "passed"]}
    assert "1 scenario(s) changed verdict" in done.stdout and "PFP" in done.stdout
    results = [json.loads(p.read_text()) for p in (tmp_path / "reports" / "allure-results").glob("*-result.json")]
    assert len(results) == 3
    assert all(r["statusDetails"].get("flaky") is True for r in results)
    assert sorted(r["status"] for r in results) == ["failed", "passed", "passed"]


def test_a_stable_suite_reports_no_flake(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "--repeat", "2", "--no-report")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no scenario changed verdict (1 stable)" in done.stdout
    hunt = json.loads((tmp_path / "reports" / "repeat.json").read_text())
    assert hunt["flaky"] == {} and hunt["counts"] == {"passed": 2}
