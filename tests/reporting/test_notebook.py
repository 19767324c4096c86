from datetime import UTC, datetime
from pathlib import Path

from harness.reporting.notebook import Links, entry, write_entry
from harness.reporting.results import outcomes
from tests.reporting.helpers import record, write_result

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def make_results(tmp_path: Path) -> Path:
    results = tmp_path / "allure-results"
    write_result(results, name="History load answered 503", status="failed", verdict="widget regression",
                 history="h1", start=1, record=record())
    write_result(results, name="Mount", status="passed", verdict="passed", history="h2", start=2,
                 record=record("mount-fresh", verdict="passed"))
    return results


def test_an_entry_has_verdicts_the_first_failure_its_excerpt_and_links(tmp_path: Path) -> None:
    runs = outcomes(make_results(tmp_path))
    text = entry(runs, when=WHEN, revision="abc123", environment={"target": "reference"}, links=Links())
    assert text.splitlines()[1] == "# Chaos run 2026-03-01 09:30 UTC: 1 widget regression, 1 passed"
    failing = runs[0]
    assert f"[history-503](../html/index.html#/{failing.report_id})" in text
    assert "| ✔ | passed | [mount-fresh]" in text
    assert "expect.status.final: expected error\n    but saw connected" in text  # the first failing expectation
    assert "fault.fired  fault=history-down" in text  # its timeline excerpt
    assert ".venv/bin/chaos-harness run scenarios/history/history-503.yaml --seed 0" in text
    assert "[gallery of widget copy](../gallery/index.html)" in text


def test_entries_accumulate_under_an_index_newest_first(tmp_path: Path) -> None:
    runs = outcomes(make_results(tmp_path))
    notebook = tmp_path / "notebook"
    older = write_entry(notebook, entry(runs, when=WHEN, revision="aaa", environment={}, links=Links()), WHEN)
    later = datetime(2026, 3, 2, tzinfo=UTC)
    newer = write_entry(notebook, entry(runs[1:], when=later, revision="bbb", environment={}, links=Links()), later)
    again = write_entry(notebook, entry(runs[1:], when=later, revision="bbb", environment={}, links=Links()), later)
    assert again.name == "2026-03-02T000000Z-2.md"  # never overwrites an entry
    index = (notebook / "index.md").read_text().splitlines()
    rows = [line for line in index if line.startswith("| ✔") or line.startswith("| ✘")]
    assert rows[0].startswith("| ✔ | [Chaos run 2026-03-02") and f"({newer.name})" in rows[1] + rows[0]
    assert rows[-1].startswith("| ✘") and f"({older.name})" in rows[-1]
