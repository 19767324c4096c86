"""The soak's figures, its gate and its baseline, and merging two workers' records into one run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.soak import gate as gating
from harness.soak import metrics
from harness.soak.allure import write_results
from harness.soak.mix import Gate
from harness.soak.record import merge


def ev(event: str, t: float = 100.0, session: str = "0", **fields: Any) -> dict[str, Any]:
    return {"event": event, "t": t, "session": session, "kind": "analytics", **fields}


EVENTS = [
    ev("chat_status_changed", status="syncing", previous="idle", duration_ms=100),
    ev("chat_status_changed", status="connected", previous="syncing", duration_ms=300),
    ev("chat_history_synced"),
    ev("chat_message_sent", attempts=1),
    ev("chat_message_sent", attempts=3),
    ev("chat_message_failure", attempts=4),
    ev("chat_message_recoverable_error"),
    ev("chat_status_changed", status="error", previous="syncing", duration_ms=700, t=130.0),
    ev("chat_history_sync_failed", t=130.0),
    {"event": "chat_error", "kind": "telemetry", "t": 100.0},
]


def test_outcomes_retries_sync_and_status_share() -> None:
    got = metrics.outcomes(EVENTS)
    assert got["sends"] == {"total": 4, "failed": 1, "recoverable": 1, "error_rate": 0.25}
    assert got["history_loads"] == {"total": 2, "failed": 1, "error_rate": 0.5}
    assert metrics.retries(EVENTS) == {"sends_retried": 2, "retry_attempts": 5, "max_attempts": 4}
    assert metrics.sync_summary(metrics.sync_durations(EVENTS)) == {"count": 2, "average": 500.0, "p95": 700.0}
    assert metrics.status_share(EVENTS) == {"idle": 0.0909, "syncing": 0.9091, "connected": 0.0, "error": 0.0}
    slices = metrics.buckets(EVENTS, 100.0, 140.0)
    assert slices[0]["sends"] == 4 and slices[6]["history_failed"] == 1 and slices[1]["t_s"] == 5.0


def test_two_proportion_z() -> None:
    assert metrics.two_proportion_z(5, 100, 5, 100) == 0.0
    assert metrics.two_proportion_z(0, 100, 10, 100) > 3
    assert metrics.two_proportion_z(0, 0, 1, 10) == 0.0


def run_record(send_rate: float, history_rate: float, stuck: int = 0) -> dict[str, Any]:
    return {"sends": {"error_rate": send_rate, "total": 200}, "history_loads": {"error_rate": history_rate,
            "total": 100}, "sessions_stuck": stuck, "sync_ms": {"p95": 500.0}, "sessions": 50, "run_id": "r1"}


def test_the_gate_uses_the_baseline_plus_tolerance_capped_by_the_bound() -> None:
    gate = Gate(absolute=0.01, tolerance=0.005)
    assert gating.evaluate(run_record(0.004, 0.0), gate, None)["verdict"] == "passed"
    failed = gating.evaluate(run_record(0.012, 0.0), gate, None)
    assert failed["verdict"] == "failed" and not failed["checks"][0]["ok"]
    base = {"sends.error_rate": 0.001, "history_loads.error_rate": 0.0}
    over = gating.evaluate(run_record(0.007, 0.0), gate, base)
    assert over["verdict"] == "failed" and over["checks"][0]["limit"] == 0.006
    assert gating.evaluate(run_record(0.0, 0.0, stuck=1), gate, None)["verdict"] == "failed"


def test_the_baseline_is_written_per_mix_and_never_above_the_bound(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    gate = Gate()
    gating.write_baseline(path, "default", run_record(0.002, 0.0), gate)
    gating.write_baseline(path, "other", run_record(0.0, 0.0), gate)
    assert gating.read_baseline(path, "default")["sends.error_rate"] == 0.002  # type: ignore[index]
    assert gating.read_baseline(path, "missing") is None
    with pytest.raises(gating.BaselineError):
        gating.write_baseline(path, "default", run_record(0.02, 0.0), gate)
    path.write_text("{not json")
    with pytest.raises(gating.BaselineError, match="--update-baseline"):
        gating.read_baseline(path, "default")


def worker(n: int, sessions: list[int], events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "worker": n, "started": 90.0, "ended": 150.0,
        "sessions": [{"session": s, "worker": n, "started": 95.0 + s, "ended": 120.0, "sends": 2,
                      "resends": 0, "retry_clicks": 0, "outcomes": ["synced", "answered"], "stuck": [],
                      "aborted": None} for s in sessions],
        "flows": [{"t": 100.0, "session": str(s), "method": "POST", "path": "/api/dynamic-ai/chat", "status": 200,
                   "error": None, "ms": 10.0, "fault": None} for s in sessions],
        "events": events, "faults": {"fired": {"send-503": n}, "outages": {}},
        "api_metrics": {"sends": {"total": 2, "failed": 1}, "history_loads": {"total": 1, "failed": 0},
                        "sync_duration_ms": {"count": 2, "average": 100.0, "p95": 150.0 * n}},
    }


def test_merging_workers_adds_them_up_and_computes_figures_once(tmp_path: Path) -> None:
    half = len(EVENTS) // 2
    parts = [worker(1, [0, 2], EVENTS[:half]), worker(2, [1, 3], EVENTS[half:])]
    run = merge(parts, run_id="r", mix_name="m", mix_path="m.yaml", seed=1, regression=None, concurrency=2,
                wall_s=60.0)
    alone = metrics.outcomes(EVENTS)
    assert run["sends"] == alone["sends"] and run["history_loads"] == alone["history_loads"]
    assert run["sessions"] == 4 and run["workers"] == 2 and run["faults"] == {"send-503": 3}
    assert run["requests"]["total"] == 4 and run["started"] == "1970-01-01T00:01:35Z"
    assert run["api_metrics"]["sends"] == {"total": 4, "failed": 2, "error_rate": 0.5}
    assert run["api_metrics"]["sync_duration_ms"]["p95"] == 300.0
    run["gate"] = gating.evaluate(run, Gate(), None)
    run["ended_epoch"] = 150.0
    results = tmp_path / "results"
    write_results(results, run, [s for p in parts for s in p["sessions"]], EVENTS, "<html>dashboard</html>")
    written = [json.loads(p.read_text()) for p in results.glob("*-result.json")]
    gate_result = next(r for r in written if r["name"].startswith("Quality gate"))
    assert gate_result["status"] == "failed" and "sends.error_rate" in gate_result["statusDetails"]["message"]
    assert {a["name"] for a in gate_result["attachments"]} == {"dashboard", "run record"}
    sessions = [r for r in written if r["name"].startswith("soak session")]
    assert len(sessions) == 4 and {lab["value"] for r in sessions for lab in r["labels"]
                                   if lab["name"] == "worker"} == {"1", "2"}
