"""End to end: real scenarios through Chromium and the proxies, with --alluredir; read the results back.

One run against a catalogued defect: history-503 fails (a widget regression, so
its result must carry the Playwright trace) and send-validation-422 passes (all
the attachments, no trace).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from harness.infra.paths import PROJECT_ROOT
from harness.reporting.allure_live import md5

pytestmark = pytest.mark.e2e

EVERY_RESULT = {
    "timeline (swimlane)": "image/svg+xml",
    "timeline (table)": "text/html",
    "screenshot: end of run": "image/png",
    "network log (HAR, credentials redacted)": "application/json",
    "fault log": "text/plain",
    "console log": "text/plain",
    "replay command (same seed)": "text/plain",
    "chaos-harness record": "application/json",
}
TRACE = "Playwright trace (open in the trace viewer)"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("allure") / "results"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-o", "addopts=",
         "scenarios/history/history-503.yaml", "scenarios/send/send-validation-422.yaml",
         "--chaos-regression", "silent-history-failure", "--alluredir", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert "1 failed, 1 passed" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def result(results: Path, story: str) -> dict[str, Any]:
    for path in results.glob("*-result.json"):
        data: dict[str, Any] = json.loads(path.read_text())
        if {"name": "story", "value": story} in data["labels"]:
            return data
    raise AssertionError(f"no result for {story}")


def attachments(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in data["attachments"]}


def all_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for step in steps for s in (step, *all_steps(step.get("steps", [])))]


@pytest.mark.parametrize("story", ["history-503", "send-validation-422"])
def test_every_result_carries_the_notebook_attachments(results: Path, story: str) -> None:
    data = result(results, story)
    found = attachments(data)
    for name, mime in EVERY_RESULT.items():
        assert found[name]["type"] == mime, name
        assert (results / found[name]["source"]).stat().st_size > 0, name
    assert any(n.startswith("scenario file: scenarios/") for n in found)
    waits = [s for s in all_steps(data["steps"]) if s["name"].startswith("wait_for")]
    assert waits and all(any(a["name"].startswith("screenshot: wait-") for a in s["attachments"]) for s in waits)
    labels = {(label["name"], label["value"]) for label in data["labels"]}
    assert {("feature", story.split("-")[0]), ("story", story)} <= labels
    assert any(n == "epic" for n, _ in labels) and any(n == "severity" for n, _ in labels)
    assert ("fault", "http:status") in labels or story == "send-validation-422"
    assert {p["name"] for p in data["parameters"]} >= {"seed", "target", "browser"}
    assert data["historyId"] == md5(f"{story}@reference")
    har = json.loads((results / found["network log (HAR, credentials redacted)"]["source"]).read_text())
    assert har["log"]["entries"]
    replay = (results / found["replay command (same seed)"]["source"]).read_text()
    assert replay.startswith(".venv/bin/chaos-harness run scenarios/")
    assert "--regression silent-history-failure" in replay


def test_a_failing_scenario_carries_its_trace_and_says_why_in_domain_words(results: Path) -> None:
    data = result(results, "history-503")
    assert data["status"] == "failed"
    assert data["statusDetails"]["message"].startswith("widget regression: steps[1].wait_for")
    assert {"name": "verdict", "value": "widget regression"} in data["labels"]
    trace = attachments(data)[TRACE]
    assert trace["type"] == "application/vnd.allure.playwright-trace"
    assert zipfile.is_zipfile(results / trace["source"])
    failed = [s for s in all_steps(data["steps"]) if s["status"] == "failed"]
    assert failed[0]["name"] == "wait_for status: error"
    fired = [s for s in all_steps(data["steps"]) if s["name"].startswith("fault fired: history-down")]
    assert fired


def test_a_passing_scenario_keeps_no_trace(results: Path) -> None:
    data = result(results, "send-validation-422")
    assert data["status"] == "passed"
    assert TRACE not in attachments(data)


def test_the_run_leaves_environment_and_gallery(results: Path) -> None:
    props = (results / "environment.properties").read_text()
    for key in ("browser=", "playwright=", "mitmproxy=", "toxiproxy=v", "target=reference", "git.revision="):
        assert key in props
    gallery = [json.loads(p.read_text()) for p in results.glob("*-globals.json")]
    keys = {g["chaosGallery"]["key"] for g in gallery if "chaosGallery" in g}
    assert any(key.startswith("status:") for key in keys), keys
