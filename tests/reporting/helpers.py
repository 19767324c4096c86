"""Builders for the reporting tests: timelines, scenarios and Allure results without a browser."""

from __future__ import annotations

import json
import textwrap
import uuid
from pathlib import Path
from typing import Any

from harness.scenario import load_scenario
from harness.scenario.model import Scenario
from harness.timeline import Event

SCENARIO = """\
id: history-503
title: History load answered 503 puts the badge in error
plan: "2. Fortify history bootstrap"
tags: [history, smoke]
severity: critical
faults:
  - id: history-down
    http: {method: GET, path: /api/dynamic-ai/chat}
    respond: {status: 503, json: {ok: false, error: upstream down}}
steps:
  - open_widget
  - wait_for: {status: error}
  - heal: history-down
expect:
  status: {sequence: [idle, syncing, error], final: error}
  toasts: [{title: Unable to sync history, count: 1}]
"""


def scenario(tmp_path: Path, text: str = SCENARIO) -> Scenario:
    path = tmp_path / "scenarios" / "history" / "history-503.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return load_scenario(path)


class Events:
    """A timeline written by hand: ``add(kind, wall_ms, page_ms=None, **data)``."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, event_kind: str, wall: float, /, page: float | None = None, source: str | None = None,
            **data: Any) -> Event:
        origin = source or ("page" if page is not None else "harness")
        event = Event(len(self.events), event_kind, wall, data, page, origin)
        self.events.append(event)
        return event


def history_503_run(*, finished: bool = True) -> list[Event]:
    """What history-503 leaves in the timeline: install, three steps, a fault firing, the badge in error."""
    t = Events()
    t.add("run.start", 0, scenario="history-503", seed=0)
    t.add("fault.installed", 1, fault="history-down", kind="http:status", reason="start")
    t.add("step.start", 2, index=0, step="open_widget", args=None)
    t.add("ui.status", 100, 1_000_000, status="idle", text="⚪ Ready")
    t.add("net.request", 110, 1_000_010, id="f1", method="GET", url="/api/dynamic-ai/chat?sessionId=s")
    t.add("ui.status", 112, 1_000_012, status="syncing", text="🟡 Syncing…")
    t.add("fault.fired", 120, 1_000_020, source="proxy", fault="history-down", kind="http:status", method="GET",
          path="/api/dynamic-ai/chat?sessionId=s", action="answered 503", occurrence=1)
    t.add("proxy.flow", 121, source="proxy", method="GET", path="/api/dynamic-ai/chat?sessionId=s", status=503)
    t.add("net.response", 130, 1_000_030, id="f1", method="GET", url="/api/dynamic-ai/chat?sessionId=s", status=503)
    t.add("net.end", 131, 1_000_031, id="f1", method="GET", url="/api/dynamic-ai/chat?sessionId=s")
    t.add("console.error", 132, source="page", text="Failed to load resource: 503")
    t.add("ui.status", 140, 1_000_040, status="error", text="🔴 Offline")
    t.add("ui.toast", 141, 1_000_041, title="Unable to sync history", description="We could not load it")
    t.add("step.start", 150, index=1, step="wait_for", args={"status": "error"})
    t.add("artifact.screenshot", 160, name="wait-1", path="/nonexistent/00-wait-1.png")
    if finished:
        t.add("step.start", 170, index=2, step="heal", args="history-down")
        t.add("fault.healed", 171, fault="history-down", kind="http:status", reason="heal")
        t.add("step.start", 180, index=3, step="quiet")
        t.add("run.end", 400)
    return t.events


def write_result(results: Path, *, name: str, status: str, verdict: str, history: str, start: int,
                 record: dict[str, Any] | None = None, message: str = "", labels: dict[str, str] | None = None
                 ) -> Path:
    """An Allure result file as allure-pytest writes it, with our record attachment when given."""
    results.mkdir(parents=True, exist_ok=True)
    uid = str(uuid.uuid4())
    attachments = []
    if record is not None:
        source = f"{uuid.uuid4()}-attachment.json"
        (results / source).write_text(json.dumps(record))
        attachments.append({"name": "chaos-harness record", "source": source, "type": "application/json"})
    data = {
        "uuid": uid, "name": name, "status": status, "historyId": history, "start": start, "stop": start + 1500,
        "labels": [{"name": "verdict", "value": verdict},
                   *({"name": k, "value": v} for k, v in (labels or {}).items())],
        "statusDetails": {"message": message} if message else None, "attachments": attachments, "steps": [],
    }
    path = results / f"{uid}-result.json"
    path.write_text(json.dumps(data))
    return path


def record(scenario_id: str = "history-503", verdict: str = "widget regression", **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": scenario_id, "title": "History load answered 503", "file": f"scenarios/history/{scenario_id}.yaml",
        "plan": "2. Fortify history bootstrap", "verdict": verdict, "seed": 0, "target": "reference",
        "browser": "chromium 1", "replay": f".venv/bin/chaos-harness run scenarios/history/{scenario_id}.yaml --seed 0",
        "duration_ms": 1500.0, "faults_fired": 1,
        "failures": [{"expectation": "expect.status.final", "expected": "error", "actual": "connected",
                      "text": "expect.status.final: expected error\n    but saw connected"}]
        if verdict == "widget regression" else [],
        "excerpt": "  1.0ms  fault.fired  fault=history-down" if verdict != "passed" else "",
    }
    base.update(over)
    return base
