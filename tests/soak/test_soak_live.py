"""``chaos-harness soak`` for real: the healthy widget holds the gate, a retry regression breaks it,
and the same soak split across two workers gives the same figures in one merged report."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.infra.paths import PROJECT_ROOT
from harness.soak.metrics import two_proportion_z

pytestmark = pytest.mark.e2e

MIX = PROJECT_ROOT / "tests" / "soak" / "mixes" / "quick.yaml"


def soak(reports: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "soak", str(MIX), "--reports", str(reports),
         "--baseline", str(reports / "baseline.json"), *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )
    run_file = reports / "soak" / "run.json"
    run = json.loads(run_file.read_text()) if run_file.is_file() else {}
    return done.returncode, run, done.stdout + done.stderr


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], str]:
    return soak(tmp_path_factory.mktemp("single"), "--no-report")


def test_the_healthy_widget_holds_the_gate_because_its_retries_absorb_the_faults(
    single: tuple[int, dict[str, Any], str],
) -> None:
    code, run, output = single
    assert code == 0, output
    assert run["sessions"] == 8 and run["sessions_aborted"] == 0 and run["sessions_stuck"] == 0
    assert run["faults"]["send-blip"] > 0 and run["retries"]["sends_retried"] > 0
    assert run["sends"]["total"] >= 24 and run["sends"]["error_rate"] == 0.0
    assert run["history_loads"]["total"] == 16 and run["history_loads"]["error_rate"] == 0.0
    assert run["sync_ms"]["p95"] is not None and sum(run["status_share"].values()) == pytest.approx(1.0, abs=0.01)
    api = run["api_metrics"]  # the reference API counts the same events
    assert api["sends"]["total"] == run["sends"]["total"] and api["history_loads"]["total"] == 16
    assert run["gate"]["verdict"] == "passed" and "quality gate: PASSED" in output


def test_a_retry_regression_fails_the_gate(tmp_path: Path) -> None:
    code, run, output = soak(tmp_path, "--regression", "no-backoff", "--no-report")
    assert code == 1, output
    assert run["sends"]["failed"] > 0 and run["gate"]["verdict"] == "failed"
    failing = [c["metric"] for c in run["gate"]["checks"] if not c["ok"]]
    assert failing == ["sends.error_rate"]
    assert "quality gate: FAILED" in output


def test_two_workers_give_the_same_figures_and_one_report(
    tmp_path: Path, single: tuple[int, dict[str, Any], str],
) -> None:
    code, split, output = soak(tmp_path, "-n", "2")
    assert code == 0, output
    _, alone, _ = single
    assert split["workers"] == 2 and split["sessions"] == alone["sessions"] == 8
    assert {w["worker"]: w["sessions"] for w in split["per_worker"]} == {1: 4, 2: 4}
    # Drawn per session and request number, so a session meets the same draws whoever runs it; how many
    # requests a blip's window catches depends on timing, so the counts agree within sampling error.
    assert split["faults"].keys() == alone["faults"].keys()
    for fault, n in alone["faults"].items():
        assert abs(split["faults"][fault] - n) <= 3 * math.sqrt(max(n + split["faults"][fault], 1)), fault
    assert split["outages"] == alone["outages"]
    for section in ("sends", "history_loads"):
        a, b = alone[section], split[section]
        assert two_proportion_z(a["failed"], a["total"], b["failed"], b["total"]) < 3
    soak_dir = tmp_path / "soak"
    results = [json.loads(p.read_text()) for p in (soak_dir / "allure-results").glob("*-result.json")]
    workers = {lab["value"] for r in results for lab in r["labels"] if lab["name"] == "worker"}
    assert workers == {"1", "2"} and sum(r["name"].startswith("Quality gate") for r in results) == 1
    assert (soak_dir / "html" / "index.html").is_file() and (soak_dir / "dashboard.html").is_file()
