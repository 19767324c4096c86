"""Rendering with the pinned Allure 3 CLI (no browser): categories, history cap, publish."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.reporting.publish import first_rendering, publish
from harness.reporting.render import ALLURE_BIN, render_report
from tests.reporting.helpers import record, write_result

pytestmark = pytest.mark.skipif(not ALLURE_BIN.is_file(), reason="the Allure CLI is installed by `make setup`")


def results_of(reports: Path, n: int = 0) -> Path:
    results = reports / "allure-results"
    write_result(results, name="History load answered 503", status="failed", verdict="widget regression",
                 history="h1", start=1_000 + n, record=record(), labels={"epic": "2. Fortify history bootstrap"})
    write_result(results, name="Mount", status="passed", verdict="passed", history="h2", start=2_000 + n,
                 record=record("mount-fresh", verdict="passed"))
    return results


def test_history_is_capped(tmp_path: Path) -> None:
    for n in range(3):
        results = results_of(tmp_path / f"run{n}")
        render_report(results, tmp_path, history_limit=2)
    lines = (tmp_path / "history.jsonl").read_text().splitlines()
    assert len(lines) == 2


def test_publish_renders_both_reports_categories_and_a_notebook_entry(tmp_path: Path) -> None:
    results_of(tmp_path)
    done = publish(tmp_path)
    assert done.html == tmp_path / "html" / "index.html" and done.html.is_file()
    assert done.single_file == tmp_path / "html-single" / "index.html" and done.single_file.is_file()
    assert not (tmp_path / "html-single" / "data").exists()  # one self-contained file
    categories = json.loads((tmp_path / "html" / "widgets" / "categories.json").read_text())
    assert "Widget regression (an expectation failed)" in json.dumps(categories)
    assert done.notebook is not None and "1 widget regression, 1 passed" in done.notebook.read_text()
    assert (tmp_path / "notebook" / "index.md").is_file()
    assert (tmp_path / "allure-results" / "categories.json").is_file()
    history = (tmp_path / "history.jsonl").read_text().splitlines()
    assert len(history) == 1  # the single-file rendering of the same run does not count twice
    publish(tmp_path)
    assert len((tmp_path / "history.jsonl").read_text().splitlines()) == 1  # nor does rendering it again


def test_new_results_are_new_to_the_history(tmp_path: Path) -> None:
    results = results_of(tmp_path)
    assert first_rendering(results, tmp_path)
    assert not first_rendering(results, tmp_path)
    results_of(tmp_path, 1)
    assert first_rendering(results, tmp_path)
