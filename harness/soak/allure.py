"""The soak run as Allure results: one result per session, and the quality gate with the dashboard.

Written as Allure's own JSON (no pytest in a soak), then rendered by the same
publishing code as the scenario suite, so QA reads both the same way.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from harness.soak import metrics

EPIC = "Soak: error rate under a fault mix"


def _id(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _labels(**values: str) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in values.items()]


class ResultWriter:
    def __init__(self, results: Path) -> None:
        self.results = results
        results.mkdir(parents=True, exist_ok=True)

    def attach(self, body: str | bytes, name: str, mime: str, extension: str) -> dict[str, str]:
        source = f"{uuid.uuid4()}-attachment.{extension}"
        data = body.encode() if isinstance(body, str) else body
        (self.results / source).write_bytes(data)
        return {"name": name, "source": source, "type": mime}

    def result(self, data: dict[str, Any]) -> None:
        result_uuid = str(uuid.uuid4())
        body = {"uuid": result_uuid, "stage": "finished", **data}
        (self.results / f"{result_uuid}-result.json").write_text(json.dumps(body))


def write_results(results: Path, run: dict[str, Any], sessions: list[dict[str, Any]],
                  events: list[dict[str, Any]], dashboard_html: str) -> None:
    writer = ResultWriter(results)
    mix = str(run.get("mix"))
    by_session: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_session.setdefault(str(event.get("session")), []).append(event)
    for s in sessions:
        write_session(writer, mix, run, s, by_session.get(str(s["session"]), []))
    write_gate(writer, mix, run, dashboard_html)
    (results / "environment.properties").write_text(
        "".join(f"{k}={v}\n" for k, v in (("soak.mix", mix), ("soak.seed", run.get("seed")),
                                          ("soak.workers", run.get("workers")),
                                          ("soak.concurrency", run.get("concurrency")),
                                          ("soak.regression", run.get("regression") or "none")))
    )


def write_session(writer: ResultWriter, mix: str, run: dict[str, Any], s: dict[str, Any],
                  events: list[dict[str, Any]]) -> None:
    got = metrics.outcomes(events)
    failed_sends, failed_loads = got["sends"]["failed"], got["history_loads"]["failed"]
    if s.get("aborted"):
        status, message = "broken", f"broken infrastructure: the harness could not drive the page: {s['aborted']}"
    elif s.get("stuck"):
        status, message = "failed", "the widget never settled: " + "; ".join(s["stuck"])
    elif failed_sends or failed_loads:
        status = "failed"
        message = (f"user-visible errors: {failed_sends} send(s) failed after retries, "
                   f"{failed_loads} history load(s) failed")
    else:
        status, message = "passed", ""
    start, stop = int(float(s.get("started", 0)) * 1000), int(float(s.get("ended", 0)) * 1000)
    steps = [{"name": f"{i + 1}. {outcome}", "status": "failed" if "fail" in outcome else "passed",
              "stage": "finished", "start": start, "stop": stop} for i, outcome in enumerate(s.get("outcomes", []))]
    writer.result({
        "historyId": _id(f"soak:{mix}:session-{s['session']}"),
        "name": f"soak session {s['session']}",
        "fullName": f"soak.{mix}.session-{s['session']}",
        "status": status,
        "statusDetails": {"message": message} if message else {},
        "start": start, "stop": stop,
        "labels": _labels(epic=EPIC, feature=f"mix: {mix}", story="sessions", suite=f"soak {mix}",
                          parentSuite="soak", tag="soak") + [{"name": "worker", "value": str(s.get("worker"))}],
        "parameters": [{"name": "worker", "value": str(s.get("worker"))},
                       {"name": "seed", "value": str(run.get("seed"))}],
        "steps": steps,
        "attachments": [writer.attach(json.dumps({"session": s, "events": events}, indent=2),
                                      "session record and analytics events", "application/json", "json")],
    })


def write_gate(writer: ResultWriter, mix: str, run: dict[str, Any], dashboard_html: str) -> None:
    gate = run.get("gate") or {}
    checks = gate.get("checks", [])
    failing = [c for c in checks if not c.get("ok")]
    ended = int((run.get("ended_epoch") or 0) * 1000)
    start = ended - int(float(run.get("wall_s") or 0) * 1000)
    steps = [{"name": f"{c['metric']} = {_fmt(c['value'])} (limit {_fmt(c['limit'])}): {c['why']}",
              "status": "passed" if c.get("ok") else "failed", "stage": "finished", "start": start, "stop": ended}
             for c in checks]
    message = ("quality gate failed: " + "; ".join(f"{c['metric']} {_fmt(c['value'])} > {_fmt(c['limit'])}"
                                                   for c in failing)) if failing else ""
    figures = [("sessions", run.get("sessions")), ("requests", (run.get("requests") or {}).get("total")),
               ("injected faults", run.get("faults_total")),
               ("send error rate", _fmt((run.get("sends") or {}).get("error_rate"))),
               ("history error rate", _fmt((run.get("history_loads") or {}).get("error_rate"))),
               ("p95 sync ms", (run.get("sync_ms") or {}).get("p95")), ("wall s", run.get("wall_s"))]
    writer.result({
        "historyId": _id(f"soak:{mix}:quality-gate"),
        "name": f"Quality gate: user-visible error rate ({mix})",
        "fullName": f"soak.{mix}.quality-gate",
        "status": "passed" if gate.get("verdict") == "passed" else "failed",
        "statusDetails": {"message": message} if message else {},
        "start": start, "stop": ended,
        "labels": _labels(epic=EPIC, feature=f"mix: {mix}", story="quality gate", suite=f"soak {mix}",
                          parentSuite="soak", severity="blocker", tag="quality-gate"),
        "parameters": [{"name": k, "value": str(v)} for k, v in figures],
        "steps": steps,
        "attachments": [writer.attach(dashboard_html, "dashboard", "text/html", "html"),
                        writer.attach(json.dumps(run, indent=2), "run record", "application/json", "json")],
    })


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2%}" if value < 1 else f"{value:g}"
    return str(value)
