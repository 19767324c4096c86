"""The dashboard's numbers, computed from stored events (pure functions, no I/O).

Sends and history loads are counted from the widget's own outcome events, since
only the browser sees the failures that never reached the API (a dropped
connection, a proxy's 503); the API's request log is reported beside them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

SEND_OK = "chat_message_sent"
SEND_FAILED = "chat_message_failure"
SEND_RECOVERABLE = "chat_message_recoverable_error"
HISTORY_OK = "chat_history_synced"
HISTORY_FAILED = "chat_history_sync_failed"
STATUS_CHANGED = "chat_status_changed"


def rate(errors: int, total: int) -> float:
    return round(errors / total, 4) if total else 0.0


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile; ``None`` for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return float(ordered[rank - 1])


def outcome_counts(events: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    names = [str(e.get("event")) for e in events]
    sent, failed, recoverable = names.count(SEND_OK), names.count(SEND_FAILED), names.count(SEND_RECOVERABLE)
    synced, sync_failed = names.count(HISTORY_OK), names.count(HISTORY_FAILED)
    send_total = sent + failed + recoverable
    history_total = synced + sync_failed
    return {
        "sends": {
            "total": send_total,
            "failed": failed,
            "recoverable": recoverable,
            "error_rate": rate(failed, send_total),
        },
        "history_loads": {
            "total": history_total,
            "failed": sync_failed,
            "error_rate": rate(sync_failed, history_total),
        },
    }


def sync_durations(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """How long the widget spent in ``syncing``: ``duration_ms`` of transitions out of it."""
    durations = [
        float(e["duration_ms"])
        for e in events
        if e.get("event") == STATUS_CHANGED
        and e.get("previous") == "syncing"
        and isinstance(e.get("duration_ms"), int | float)
        and not isinstance(e.get("duration_ms"), bool)
        and e["duration_ms"] >= 0
    ]
    average = round(sum(durations) / len(durations), 1) if durations else None
    return {"count": len(durations), "average": average, "p95": percentile(durations, 95)}
