import json
from pathlib import Path

from harness.reporting.allure_live import md5
from harness.reporting.results import mark_flaky, outcomes, prune_fixtures
from harness.reporting.summary import summary_table
from tests.reporting.helpers import record, write_result


def test_outcomes_fold_retries_into_the_last_attempt(tmp_path: Path) -> None:
    first = write_result(tmp_path, name="h", status="failed", verdict="widget regression", history="h1", start=1,
                         record=record())
    write_result(tmp_path, name="h", status="passed", verdict="passed", history="h1", start=5,
                 record=record(verdict="passed"))
    write_result(tmp_path, name="other", status="broken", verdict="broken infrastructure", history="h2", start=3,
                 message="broken infrastructure: toxiproxy did not start")
    runs = outcomes(tmp_path)
    assert [o.scenario_id for o in runs] == ["other", "history-503"]
    last = runs[1]
    assert last.verdict == "passed" and last.attempts == ["widget regression", "passed"]
    uid = json.loads(first.read_text())["uuid"]
    assert runs[1].report_id != md5(uid)  # the link goes to the last attempt


def test_a_scenario_that_passed_and_failed_in_one_run_is_flaky(tmp_path: Path) -> None:
    write_result(tmp_path, name="h", status="failed", verdict="widget regression", history="h1", start=1)
    write_result(tmp_path, name="h", status="passed", verdict="passed", history="h1", start=5)
    write_result(tmp_path, name="steady", status="failed", verdict="widget regression", history="h2", start=2)
    assert mark_flaky(tmp_path) == ["h"]
    flaky = {o.name: o.flaky for o in outcomes(tmp_path)}
    assert flaky == {"h": True, "steady": False}


def test_passed_fixtures_are_pruned_failed_ones_kept(tmp_path: Path) -> None:
    (tmp_path / "a-container.json").write_text(json.dumps(
        {"befores": [{"name": "browser", "status": "passed"}], "afters": [{"name": "x", "status": "passed"}]}))
    (tmp_path / "b-container.json").write_text(json.dumps(
        {"befores": [{"name": "chaos_stack", "status": "broken"}, {"name": "browser", "status": "passed"}]}))
    assert prune_fixtures(tmp_path) == 1
    assert not (tmp_path / "a-container.json").exists()
    kept = json.loads((tmp_path / "b-container.json").read_text())
    assert [b["name"] for b in kept["befores"]] == ["chaos_stack"]


def test_summary_table_puts_failures_last_with_their_first_expectation(tmp_path: Path) -> None:
    write_result(tmp_path, name="h", status="failed", verdict="widget regression", history="h1", start=1,
                 record=record())
    write_result(tmp_path, name="ok", status="passed", verdict="passed", history="h2", start=2,
                 record=record("mount-fresh", verdict="passed"))
    table = summary_table(outcomes(tmp_path), width=200)
    lines = table.splitlines()
    assert lines[1].split()[:3] == ["✔", "passed", "mount-fresh"]
    assert "✘ widget regression" in lines[2] and "expect.status.final: expected error, saw connected" in lines[2]
    assert "`" not in table
    assert lines[-1] == "2 scenario(s): 1 widget regression, 1 passed"
