"""The soak's figures, from what the proxy saw: the widget's own analytics events and every request.

The event names are the resolution plan's analytics vocabulary (the reference
widget's API computes its ``/api/metrics`` from the same events, which is the
cross-check). Error rates are user-visible ones: a send counts as failed only
when the widget gave up after its retries, a history load when the person saw
the sync fail.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from harness.soak.proxy import FlowRecord

SEND_OK = "chat_message_sent"
SEND_FAILED = "chat_message_failure"
SEND_RECOVERABLE = "chat_message_recoverable_error"
HISTORY_OK = "chat_history_synced"
HISTORY_FAILED = "chat_history_sync_failed"
STATUS_CHANGED = "chat_status_changed"
STATUSES = ("idle", "syncing", "connected", "error")


def rate(failed: int, total: int) -> float:
    return round(failed / total, 6) if total else 0.0


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile; ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1])


def _analytics(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e.get("kind") == "analytics"]


def _count(events: Sequence[dict[str, Any]], name: str) -> int:
    return sum(1 for e in events if e.get("event") == name)


def outcomes(events: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Sends and history loads, with their user-visible error rates."""
    analytics = _analytics(events)
    sent, failed, recoverable = (_count(analytics, n) for n in (SEND_OK, SEND_FAILED, SEND_RECOVERABLE))
    synced, sync_failed = _count(analytics, HISTORY_OK), _count(analytics, HISTORY_FAILED)
    sends = sent + failed + recoverable
    loads = synced + sync_failed
    return {
        "sends": {"total": sends, "failed": failed, "recoverable": recoverable, "error_rate": rate(failed, sends)},
        "history_loads": {"total": loads, "failed": sync_failed, "error_rate": rate(sync_failed, loads)},
    }


def retries(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """How hard the widget worked: sends that needed more than one attempt, and the extra attempts."""
    attempts = [int(e["attempts"]) for e in _analytics(events)
                if e.get("event") in (SEND_OK, SEND_FAILED) and isinstance(e.get("attempts"), int)]
    return {
        "sends_retried": sum(1 for a in attempts if a > 1),
        "retry_attempts": sum(a - 1 for a in attempts if a > 1),
        "max_attempts": max(attempts, default=0),
    }


def sync_durations(events: Iterable[dict[str, Any]]) -> list[float]:
    """Time spent in ``syncing``, from each transition out of it (its ``duration_ms``)."""
    return [float(e["duration_ms"]) for e in _analytics(events)
            if e.get("event") == STATUS_CHANGED and e.get("previous") == "syncing"
            and isinstance(e.get("duration_ms"), int | float) and not isinstance(e.get("duration_ms"), bool)
            and e["duration_ms"] >= 0]


def sync_summary(durations: Sequence[float]) -> dict[str, Any]:
    average = round(sum(durations) / len(durations), 1) if durations else None
    return {"count": len(durations), "average": average, "p95": percentile(durations, 95)}


def status_share(events: Iterable[dict[str, Any]]) -> dict[str, float]:
    """Share of session time per status: each transition carries the time spent in the status it leaves."""
    spent: dict[str, float] = {}
    for e in _analytics(events):
        previous, ms = e.get("previous"), e.get("duration_ms")
        if e.get("event") == STATUS_CHANGED and isinstance(previous, str) and isinstance(ms, int | float) and ms > 0:
            spent[previous] = spent.get(previous, 0.0) + float(ms)
    total = sum(spent.values())
    return {s: round(spent.get(s, 0.0) / total, 4) for s in (*STATUSES, *sorted(set(spent) - set(STATUSES)))} \
        if total else {}


def requests(flows: Sequence[FlowRecord]) -> dict[str, Any]:
    by_route: dict[str, int] = {}
    for flow in flows:
        by_route[flow.route] = by_route.get(flow.route, 0) + 1
    failed = sum(1 for f in flows if f.error or (f.status or 0) >= 500 or f.status is None)
    return {"total": len(flows), "failed_at_the_proxy": failed,
            "by_route": dict(sorted(by_route.items(), key=lambda kv: -kv[1]))}


def buckets(events: Sequence[dict[str, Any]], start: float, end: float, count: int = 20) -> list[dict[str, Any]]:
    """The run cut into ``count`` equal slices (at least 5 s each): outcomes and sync times per slice."""
    width = max(5.0, math.ceil(max(end - start, 1.0) / count))
    slices: list[list[dict[str, Any]]] = [[] for _ in range(max(1, math.ceil((end - start) / width)))]
    for e in _analytics(events):
        index = int((float(e.get("t", start)) - start) // width)
        slices[min(max(index, 0), len(slices) - 1)].append(e)
    out = []
    for i, chunk in enumerate(slices):
        got = outcomes(chunk)
        syncs = sync_durations(chunk)
        out.append({
            "t_s": round(i * width, 1),
            "sends": got["sends"]["total"], "sends_failed": got["sends"]["failed"],
            "history": got["history_loads"]["total"], "history_failed": got["history_loads"]["failed"],
            "sync_avg_ms": round(sum(syncs) / len(syncs), 1) if syncs else None,
            "sync_p95_ms": percentile(syncs, 95),
        })
    return out


def figures(flows: Sequence[FlowRecord], events: Sequence[dict[str, Any]], start: float, end: float) -> dict[str, Any]:
    """Every figure of a run (the run record adds sessions, faults, the API's metrics and the gate)."""
    durations = sync_durations(events)
    return {
        **outcomes(events),
        "retries": retries(events),
        "sync_ms": sync_summary(durations),
        "status_share": status_share(events),
        "requests": requests(flows),
        "buckets": buckets(events, start, end),
    }


def two_proportion_z(failed_a: int, total_a: int, failed_b: int, total_b: int) -> float:
    """How many standard errors apart two error rates are (0 when they cannot be told apart)."""
    if not total_a or not total_b:
        return 0.0
    pooled = (failed_a + failed_b) / (total_a + total_b)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total_a + 1 / total_b))
    return abs(failed_a / total_a - failed_b / total_b) / spread if spread else 0.0
