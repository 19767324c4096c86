"""The engineering notebook: one Markdown entry per run, and an index of entries.

An entry is what a reviewer needs without opening anything else: the verdict of
every scenario, and for each failure the first expectation that failed with the
timeline around it and the command that replays it; links go into the Allure
report for the rest. Entries accumulate under ``reports/notebook/`` (CI keeps
them with the report history); ``index.md`` lists them newest first.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from harness.reporting.results import Outcome

MARKS = {"passed": "✔", "widget regression": "✘", "broken infrastructure": "⚠", "invalid scenario": "✎",
         "skipped": "–", "interrupted": "⏹"}
META = re.compile(r"^<!-- chaos-notebook (\{.*\}) -->$")
ORDER = ["widget regression", "broken infrastructure", "invalid scenario", "interrupted", "passed", "skipped"]


@dataclass(frozen=True)
class Links:
    """Where the entry's links point, relative to the notebook folder (or absolute URLs)."""

    report: str = "../html/index.html"
    single_file: str | None = "../html-single/index.html"
    gallery: str | None = "../gallery/index.html"

    def result(self, outcome: Outcome) -> str:
        return f"{self.report}#/{outcome.report_id}"


def counts(runs: Sequence[Outcome]) -> Counter[str]:
    return Counter(o.verdict for o in runs)


def headline(runs: Sequence[Outcome]) -> str:
    tally = counts(runs)
    parts = [f"{tally[v]} {v}" for v in ORDER if tally.get(v)]
    parts += [f"{n} {v}" for v, n in sorted(tally.items()) if v not in ORDER]
    flaky = sum(1 for o in runs if o.flaky)
    if flaky:
        parts.append(f"{flaky} flaky")
    return ", ".join(parts) or "no scenario ran"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def first_failure(outcome: Outcome) -> str:
    record = outcome.record
    if record and record.failures:
        f = record.failures[0]
        return f"`{f.expectation}`: expected {f.expected}, saw {f.actual}"
    if record and record.error:
        return record.error.splitlines()[0]
    return outcome.message.splitlines()[0] if outcome.message else ""


def entry(runs: Sequence[Outcome], *, when: datetime, revision: str, environment: dict[str, str],
          links: Links) -> str:
    """The Markdown of one run's entry."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    tally = counts(runs)
    meta = {"when": when.astimezone(UTC).isoformat(), "revision": revision, "counts": dict(tally),
            "flaky": sum(1 for o in runs if o.flaky), "total": len(runs)}
    lines = [f"<!-- chaos-notebook {json.dumps(meta)} -->", f"# Chaos run {stamp}: {headline(runs)}", ""]
    facts = [f"revision `{revision}`"]
    for key in ("target", "browser", "regression"):
        if environment.get(key):
            facts.append(f"{key} `{environment[key]}`")
    lines.append("- " + " · ".join(facts))
    report_links = [f"[Allure report]({links.report})"]
    if links.single_file:
        report_links.append(f"[single file]({links.single_file})")
    if links.gallery:
        report_links.append(f"[gallery of widget copy]({links.gallery})")
    lines += ["- " + " · ".join(report_links), ""]

    lines += ["| | verdict | scenario | plan | time | first failing expectation |", "|---|---|---|---|---|---|"]
    for o in sorted(runs, key=lambda o: (ORDER.index(o.verdict) if o.verdict in ORDER else 99, o.scenario_id)):
        plan = o.record.plan if o.record and o.record.plan else (o.labels.get("epic") or ["–"])[0]
        verdict = o.verdict + (" (flaky)" if o.flaky else "")
        lines.append(f"| {MARKS.get(o.verdict, '?')} | {verdict} | [{_cell(o.scenario_id)}]({links.result(o)}) "
                     f"| {_cell(plan)} | {o.duration_s:.1f} s | {_cell(first_failure(o))} |")

    failing = [o for o in runs if o.verdict not in ("passed", "skipped")]
    if failing:
        lines += ["", "## Failures", ""]
    for o in failing:
        record = o.record
        lines += [f"### {o.scenario_id}: {o.name}", ""]
        facts = [f"verdict **{o.verdict}**"]
        if record:
            facts += [f"plan {record.plan or '–'}", f"seed {record.seed}", f"`{record.file}`"]
        if len(o.attempts) > 1:
            facts.append(f"attempts: {' → '.join(o.attempts)}")
        lines += ["- " + " · ".join(facts), f"- [open in the report]({links.result(o)})", ""]
        if record and record.failures:
            lines += ["First failing expectation:", "", "```text", record.failures[0].text]
            if len(record.failures) > 1:
                lines.append(f"(and {len(record.failures) - 1} more in the report)")
            lines += ["```", ""]
        elif o.message:
            lines += ["```text", o.message.strip()[:2000], "```", ""]
        if record and record.excerpt:
            lines += ["Timeline around it:", "", "```text", record.excerpt.rstrip(), "```", ""]
        if record:
            lines += ["Replay with the same seed:", "", "```sh", record.replay, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_entry(notebook: Path, text: str, when: datetime) -> Path:
    notebook.mkdir(parents=True, exist_ok=True)
    base = when.astimezone(UTC).strftime("%Y-%m-%dT%H%M%SZ")
    path = notebook / f"{base}.md"
    n = 1
    while path.exists():
        n += 1
        path = notebook / f"{base}-{n}.md"
    path.write_text(text, encoding="utf-8")
    write_index(notebook)
    return path


def write_index(notebook: Path) -> Path:
    """``index.md``: every entry, newest first, with its tally."""
    rows = []
    for path in sorted(notebook.glob("*.md"), reverse=True):
        if path.name == "index.md":
            continue
        first = path.read_text(encoding="utf-8").splitlines()[:2]
        match = META.match(first[0]) if first else None
        if not match:
            continue
        meta = json.loads(match.group(1))
        tally: dict[str, int] = meta.get("counts", {})
        bad = sum(n for v, n in tally.items() if v not in ("passed", "skipped"))
        mark = "✔" if not bad else "✘"
        title = first[1].removeprefix("# ") if len(first) > 1 else path.stem
        rows.append(f"| {mark} | [{_cell(title)}]({path.name}) | `{meta.get('revision', '?')}` |")
    text = "\n".join(["# Chaos engineering notebook", "",
                      "One entry per run of the scenario suite, newest first.", "",
                      "| | run | revision |", "|---|---|---|", *rows]) + "\n"
    index = notebook / "index.md"
    index.write_text(text, encoding="utf-8")
    return index
