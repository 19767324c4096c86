"""The writer goes through allure-pytest's own reporter: pin the result JSON it produces."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

TEST_FILE = '''
import pytest
from pathlib import Path
from harness.reporting.allure_live import LiveResult
from harness.reporting.steps import StepNode


def test_written_from_a_timeline(pytestconfig, tmp_path):
    live = LiveResult.of(pytestconfig)
    assert live is not None
    shot = tmp_path / "wait.png"
    shot.write_bytes(b"png")
    live.set_title("History fails on mount")
    live.add_label("epic", "2. Fortify history bootstrap")
    live.replace_label("verdict", "passed")
    live.replace_label("verdict", "widget regression")
    live.add_parameter("seed", "7", excluded=True)
    live.set_description("**why**")
    nodes = [
        StepNode("open_widget", 10, 50,
                 children=[StepNode("fault fired: down", 20, 20, parameters={"occurrence": "1"})]),
        StepNode("wait_for status: error", 50, 90, status="failed", message="steps[1] failed",
                 screenshots=[("wait-1", shot)]),
    ]
    live.add_steps(nodes, 1_000_000)
    live.attach_data("<svg/>", "timeline (swimlane)", "image/svg+xml", "svg")
    live.set_history_id("history-503@reference")


def test_without_alluredir_there_is_no_result(pytestconfig):
    pass
'''


def run_pytest(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_live.py").write_text(textwrap.dedent(TEST_FILE))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra,
                           str(tmp_path / "test_live.py")], cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_steps_keep_their_own_times_and_attachments(tmp_path: Path) -> None:
    results = tmp_path / "results"
    done = run_pytest(tmp_path, "--alluredir", str(results), "-k", "timeline")
    assert done.returncode == 0, done.stdout + done.stderr
    (result_file,) = results.glob("*-result.json")
    data = json.loads(result_file.read_text())
    assert data["name"] == "History fails on mount"
    assert data["description"] == "**why**"
    labels = [(label["name"], label["value"]) for label in data["labels"]]
    assert ("epic", "2. Fortify history bootstrap") in labels
    assert [v for n, v in labels if n == "verdict"] == ["widget regression"]
    assert {"name": "seed", "value": "7", "excluded": True} in data["parameters"]
    open_widget, wait = data["steps"]
    assert (open_widget["start"], open_widget["stop"]) == (1_000_010, 1_000_050)
    fired = open_widget["steps"][0]
    assert fired["name"] == "fault fired: down" and fired["parameters"] == [{"name": "occurrence", "value": "1"}]
    assert wait["status"] == "failed" and wait["statusDetails"]["message"] == "steps[1] failed"
    assert [a["name"] for a in wait["attachments"]] == ["screenshot: wait-1"]
    assert (results / wait["attachments"][0]["source"]).read_bytes() == b"png"
    assert [a["type"] for a in data["attachments"]] == ["image/svg+xml"]


def test_allure_pytest_recomputes_the_history_id_at_teardown(tmp_path: Path) -> None:
    """Why the plugin sets ``historyId`` from ``makereport(teardown)``, not from the scenario's body."""
    from harness.reporting.allure_live import md5

    results = tmp_path / "results"
    run_pytest(tmp_path, "--alluredir", str(results), "-k", "timeline")
    (result_file,) = results.glob("*-result.json")
    assert json.loads(result_file.read_text())["historyId"] != md5("history-503@reference")


def test_an_invalid_scenario_file_is_labelled_as_such(tmp_path: Path) -> None:
    bad = tmp_path / "scenarios" / "garden" / "typo.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text("id: typo\ntitle: x\nsteps: [open_widgte]\n")
    results = tmp_path / "results"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--alluredir",
                           str(results), str(tmp_path / "scenarios")], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert "INVALID SCENARIO" in done.stdout, done.stdout
    (result_file,) = results.glob("*-result.json")
    data = json.loads(result_file.read_text())
    assert data["name"] == "invalid scenario file: typo.yaml"
    assert {"name": "verdict", "value": "invalid scenario"} in data["labels"]
    assert data["statusDetails"]["message"].startswith("invalid scenario: ")
