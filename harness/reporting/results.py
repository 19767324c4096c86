"""Read back a results directory: one outcome per scenario, from Allure's own files.

The CLI's summary table, the flaky marking and the notebook all read the results
this way, so they work the same on one run's results and on results merged from
several CI shards.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.reporting.allure_live import md5
from harness.reporting.record import RECORD_NAME, ScenarioRecord

VERDICT_BY_STATUS = {"passed": "passed", "failed": "widget regression", "broken": "broken infrastructure",
                     "skipped": "skipped"}


@dataclass
class Outcome:
    """One scenario's result (the last attempt when it ran more than once)."""

    path: Path
    name: str
    status: str
    verdict: str
    history_id: str
    report_id: str  # the test result's id in the rendered report (Allure 3: md5 of the uuid)
    start: int
    stop: int
    message: str
    labels: dict[str, list[str]]
    record: ScenarioRecord | None
    flaky: bool = False
    attempts: list[str] = field(default_factory=list)  # verdicts of every attempt, in order

    @property
    def scenario_id(self) -> str:
        return self.record.id if self.record else (self.labels.get("story") or [self.name])[0]

    @property
    def duration_s(self) -> float:
        return max(self.stop - self.start, 0) / 1000


def _label_map(data: dict[str, Any]) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {}
    for label in data.get("labels", []):
        labels.setdefault(str(label.get("name")), []).append(str(label.get("value")))
    return labels


def _record(results: Path, data: dict[str, Any]) -> ScenarioRecord | None:
    for attachment in data.get("attachments", []):
        if attachment.get("name") == RECORD_NAME:
            try:
                return ScenarioRecord.from_dict(json.loads((results / attachment["source"]).read_text()))
            except (OSError, ValueError, TypeError, KeyError):
                return None
    return None


def read_results(results: Path) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    for path in sorted(results.glob("*-result.json")):
        try:
            found.append((path, json.loads(path.read_text())))
        except (OSError, ValueError):
            continue
    return found


def outcomes(results: Path) -> list[Outcome]:
    """Scenarios in the order they started; retries folded into the last attempt."""
    attempts: dict[str, list[Outcome]] = {}
    for path, data in read_results(results):
        labels = _label_map(data)
        status = str(data.get("status") or "unknown")
        details = data.get("statusDetails") or {}
        verdict = (labels.get("verdict") or [VERDICT_BY_STATUS.get(status, status)])[-1]
        outcome = Outcome(
            path=path, name=str(data.get("name", "")), status=status, verdict=verdict,
            history_id=str(data.get("historyId") or data.get("uuid")), report_id=md5(str(data.get("uuid", ""))),
            start=int(data.get("start") or 0), stop=int(data.get("stop") or 0),
            message=str(details.get("message") or ""), labels=labels, record=_record(results, data),
            flaky=bool(details.get("flaky")),
        )
        attempts.setdefault(outcome.history_id, []).append(outcome)
    final = []
    for runs in attempts.values():
        runs.sort(key=lambda o: (o.start, o.stop))
        last = runs[-1]
        last.attempts = [o.verdict for o in runs]
        final.append(last)
    return sorted(final, key=lambda o: (o.start, o.name))


def mark_flaky(results: Path) -> list[str]:
    """A scenario that both passed and failed within one run is flaky: say so in its results.

    That happens when it ran more than once (a rerun plugin, a repeat, a retried
    CI shard). Allure 3 folds the attempts into the last one and files a result
    marked ``flaky`` under the "Flaky" category.
    """
    groups: dict[str, list[tuple[Path, dict[str, Any]]]] = {}
    for path, data in read_results(results):
        groups.setdefault(str(data.get("historyId") or path.name), []).append((path, data))
    flaky = []
    for runs in groups.values():
        statuses = {str(d.get("status")) for _, d in runs}
        if "passed" in statuses and statuses & {"failed", "broken"}:
            for path, data in runs:
                details = data.get("statusDetails") or {}
                details["flaky"] = True
                data["statusDetails"] = details
                path.write_text(json.dumps(data))
            flaky.append(str(runs[0][1].get("name")))
    return sorted(flaky)


def prune_fixtures(results: Path) -> int:
    """Keep only the fixtures that failed; returns how many containers were dropped.

    allure-pytest records every fixture of every test (browser, proxies, stack:
    a couple of dozen per scenario) and Allure lists them above the scenario's
    steps. QA needs a fixture only when it broke (a proxy that would not start),
    so passed set-up and tear-down entries are removed before rendering.
    """
    dropped = 0
    for path in sorted(results.glob("*-container.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        befores = [b for b in data.get("befores", []) if b.get("status") not in ("passed", None)]
        afters = [a for a in data.get("afters", []) if a.get("status") not in ("passed", None)]
        if not befores and not afters:
            path.unlink()
            dropped += 1
        elif len(befores) != len(data.get("befores", [])) or len(afters) != len(data.get("afters", [])):
            data["befores"], data["afters"] = befores, afters
            path.write_text(json.dumps(data))
    return dropped
