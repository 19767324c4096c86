"""Merge the workers' records into one run record: the figures, the faults, the API's view.

A split run and a single one describe the same sessions (faults are keyed by
session), so merging is plain addition over workers, then the figures are
computed once over everything.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from harness.soak import metrics
from harness.soak.proxy import FlowRecord


def merge(workers: list[dict[str, Any]], *, run_id: str, mix_name: str, mix_path: str, seed: int,
          regression: str | None, concurrency: int, wall_s: float) -> dict[str, Any]:
    sessions = [s for w in workers for s in w.get("sessions", [])]
    flows = [FlowRecord(**f) for w in workers for f in w.get("flows", [])]
    events = [e for w in workers for e in w.get("events", [])]
    # The clock starts with the first session, not with the stacks' start-up.
    start = min((float(s["started"]) for s in sessions if s.get("started")),
                default=min((float(w["started"]) for w in workers if "started" in w), default=0.0))
    end = max((float(w["ended"]) for w in workers if "ended" in w), default=start)
    fired: dict[str, int] = {}
    outages: dict[str, int] = {}
    for w in workers:
        for fid, n in (w.get("faults") or {}).get("fired", {}).items():
            fired[fid] = fired.get(fid, 0) + int(n)
        for fid, n in (w.get("faults") or {}).get("outages", {}).items():
            outages[fid] = outages.get(fid, 0) + int(n)
    done = [s for s in sessions if not s.get("aborted")]
    return {
        "run_id": run_id,
        "started": datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if start else None,
        "wall_s": round(wall_s, 1),
        "seed": seed,
        "mix": mix_name,
        "mix_file": mix_path,
        "regression": regression,
        "workers": len(workers),
        "concurrency": concurrency,
        "sessions": len(done),
        "sessions_started": len(sessions),
        "sessions_aborted": len(sessions) - len(done),
        "sessions_stuck": sum(1 for s in done if s.get("stuck")),
        "aborted": [f"session {s['session']}: {s['aborted']}" for s in sessions if s.get("aborted")][:20],
        "stuck": [f"session {s['session']}: {m}" for s in done for m in s.get("stuck", [])][:20],
        "person": {"sends_typed": sum(int(s.get("sends", 0)) for s in done),
                   "resends_after_countdown": sum(int(s.get("resends", 0)) for s in done),
                   "retry_connection_clicks": sum(int(s.get("retry_clicks", 0)) for s in done)},
        "faults": fired,
        "faults_total": sum(fired.values()),
        "outages": outages,
        **metrics.figures(flows, events, start, end),
        "api_metrics": merge_api_metrics([w.get("api_metrics") for w in workers]),
        "per_worker": [_worker_summary(w) for w in workers],
        "interrupted": any(w.get("interrupted") for w in workers),
    }


def _worker_summary(worker: dict[str, Any]) -> dict[str, Any]:
    events = worker.get("events", [])
    got = metrics.outcomes(events)
    return {"worker": worker.get("worker"), "sessions": len(worker.get("sessions", [])),
            "sends": got["sends"], "history_loads": got["history_loads"],
            "faults_total": sum((worker.get("faults") or {}).get("fired", {}).values())}


def merge_api_metrics(parts: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    """Each worker's app has its own database: add the counts up (p95 is the workers' worst)."""
    found = [p for p in parts if isinstance(p, dict)]
    if not found:
        return None
    merged: dict[str, Any] = {}
    for section in ("sends", "history_loads"):
        total = sum(int(p.get(section, {}).get("total", 0)) for p in found)
        failed = sum(int(p.get(section, {}).get("failed", 0)) for p in found)
        merged[section] = {"total": total, "failed": failed, "error_rate": metrics.rate(failed, total)}
    syncs = [p.get("sync_duration_ms") or {} for p in found]
    count = sum(int(s.get("count") or 0) for s in syncs)
    weighted = sum(float(s.get("average") or 0) * int(s.get("count") or 0) for s in syncs)
    p95s = [float(s["p95"]) for s in syncs if s.get("p95") is not None]
    merged["sync_duration_ms"] = {"count": count, "average": round(weighted / count, 1) if count else None,
                                  "p95": max(p95s) if p95s else None}
    merged["alert_firing"] = any(bool((p.get("alert") or {}).get("firing")) for p in found)
    return merged
