"""Turn a results directory into everything QA reads: report, gallery, notebook entry.

One function for ``chaos-harness run`` and ``chaos-harness report`` alike, and for
CI's merge job, which runs it on the merged results of every shard.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from harness.reporting import gallery
from harness.reporting.categories import categories_json
from harness.reporting.environment import git_revision, write_atomic, write_executor
from harness.reporting.notebook import Links, entry, write_entry
from harness.reporting.render import render_report
from harness.reporting.results import mark_flaky, outcomes, prune_fixtures


@dataclass
class Published:
    html: Path | None = None
    single_file: Path | None = None
    gallery: Path | None = None
    notebook: Path | None = None
    flaky: list[str] = field(default_factory=list)


def prepare(results: Path, reports: Path) -> Published:
    """Files Allure reads besides the results: categories, executor, flaky marks, the gallery.

    Also drops the fixtures that passed (see ``prune_fixtures``).
    """
    published = Published()
    write_atomic(results / "categories.json", categories_json())
    write_executor(results)
    published.flaky = mark_flaky(results)
    prune_fixtures(results)
    published.gallery = gallery.assemble(results, reports / "gallery" / "index.html")
    return published


def results_fingerprint(results: Path) -> str:
    names = sorted(p.name for p in results.glob("*-result.json"))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def first_rendering(results: Path, reports: Path) -> bool:
    """Whether these results are new to the history (rendering them again must not count twice)."""
    marker = reports / "history.last-run"
    fingerprint = results_fingerprint(results)
    seen = marker.read_text().strip() if marker.is_file() else ""
    if seen == fingerprint:
        return False
    reports.mkdir(parents=True, exist_ok=True)
    marker.write_text(fingerprint + "\n")
    return True


def read_properties(path: Path) -> dict[str, str]:
    props: dict[str, str] = {}
    if not path.is_file():
        return props
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            props[key.replace("\\:", ":")] = value.replace("\\:", ":").replace("\\=", "=").replace("\\\\", "\\")
    return props


def publish(
    reports: Path,
    *,
    multi_file: bool = True,
    single_file: bool = True,
    notebook: bool = True,
    report_url: str | None = None,
    when: datetime | None = None,
) -> Published:
    """Render ``reports/allure-results`` and write the run's notebook entry."""
    results = reports / "allure-results"
    published = prepare(results, reports)
    append = first_rendering(results, reports)
    if multi_file:
        published.html = render_report(results, reports, append_history=append)
    if single_file:
        published.single_file = render_report(results, reports, single_file=True,
                                              append_history=append and not multi_file)
    if notebook:
        env = read_properties(results / "environment.properties")
        base = report_url.rstrip("/") + "/index.html" if report_url else "../html/index.html"
        links = Links(
            report=base if multi_file or report_url else "../html-single/index.html",
            single_file="../html-single/index.html" if single_file else None,
            gallery="../gallery/index.html" if published.gallery else None,
        )
        moment = when or datetime.now(UTC)
        text = entry(outcomes(results), when=moment, revision=env.get("git.revision") or git_revision(),
                     environment=env, links=links)
        published.notebook = write_entry(reports / "notebook", text, moment)
    return published
