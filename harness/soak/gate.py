"""The error-rate gate: the plan's alert ("error rate above its baseline") and its exit bar (under 1%).

The baseline is a committed file, changed only by ``chaos-harness soak
--update-baseline``, so a rise shows up in review as a diff someone approved.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.soak.mix import Gate

DEFAULT_BASELINE = Path(__file__).resolve().parents[2] / "soak" / "baseline.json"
RATES = (("sends", "sends.error_rate"), ("history_loads", "history_loads.error_rate"))


class BaselineError(Exception):
    """The baseline file cannot be read or would be meaningless."""


def baseline_path(gate: Gate, override: Path | None = None) -> Path:
    if override is not None:
        return override
    return Path(gate.baseline) if gate.baseline else DEFAULT_BASELINE


def read_baseline(path: Path, mix_name: str) -> dict[str, Any] | None:
    """The baseline recorded for this mix, or ``None`` when there is none yet."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise BaselineError(f"{path}: not JSON ({exc}); fix it or record it again with "
                            "`chaos-harness soak --update-baseline`") from None
    entry = data.get("mixes", {}).get(mix_name) if isinstance(data, dict) else None
    return entry if isinstance(entry, dict) else None


def evaluate(run: dict[str, Any], gate: Gate, baseline: dict[str, Any] | None) -> dict[str, Any]:
    """Every check with its value, limit and reason; the run fails if any check fails."""
    checks = []
    for section, metric in RATES:
        value = float(run[section]["error_rate"])
        base = baseline.get(metric) if baseline else None
        limit = gate.absolute if base is None else min(gate.absolute, float(base) + gate.tolerance)
        if base is None:
            why = f"≤ absolute {gate.absolute:.4f} (no baseline recorded for this mix)"
        else:
            why = f"≤ baseline {float(base):.4f} + tolerance {gate.tolerance:.4f} and ≤ absolute {gate.absolute:.4f}"
        checks.append({"metric": metric, "value": value, "limit": round(limit, 6), "baseline": base,
                       "ok": value <= limit + 1e-12, "why": why})
    stuck = int(run.get("sessions_stuck", 0))
    checks.append({"metric": "sessions_stuck", "value": stuck, "limit": 0, "baseline": None, "ok": stuck == 0,
                   "why": "no session may be left waiting on a widget that never settles"})
    return {"verdict": "passed" if all(c["ok"] for c in checks) else "failed", "absolute": gate.absolute,
            "tolerance": gate.tolerance, "baseline": baseline, "checks": checks}


def write_baseline(path: Path, mix_name: str, run: dict[str, Any], gate: Gate) -> dict[str, Any]:
    """Record this run as the mix's baseline; refuses one that already breaks the absolute bound."""
    over = [m for s, m in RATES if float(run[s]["error_rate"]) > gate.absolute]
    if over:
        raise BaselineError(f"not recording a baseline above the absolute bound {gate.absolute:.2%} "
                            f"({', '.join(over)}): fix the widget or the mix first")
    data: dict[str, Any] = {"mixes": {}}
    if path.is_file():
        try:
            data = json.loads(path.read_text())
        except ValueError:
            data = {"mixes": {}}
    entry = {
        "sends.error_rate": run["sends"]["error_rate"],
        "history_loads.error_rate": run["history_loads"]["error_rate"],
        "sync_p95_ms": run["sync_ms"]["p95"],
        "sessions": run["sessions"],
        "sends": run["sends"]["total"],
        "history_loads": run["history_loads"]["total"],
        "run_id": run["run_id"],
        "recorded": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    data.setdefault("mixes", {})[mix_name] = entry
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return entry
