"""The soak dashboard: a parseable, escaped, deterministic page that survives sparse records."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from harness.soak.dashboard import render_dashboard, write_dashboard

SVG = "{http://www.w3.org/2000/svg}"
CHARTS = 5  # error rate, sync duration, across runs (error rate, p95 sync), status share
VOID = {"meta", "br", "hr", "img", "input", "link"}


def record(run_id: str = "20261204T191500Z-7", started: str = "2026-12-04T19:15:00Z", **over: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "run_id": run_id, "started": started, "wall_s": 212.4, "seed": 7, "mix": "soak/default.yaml",
        "regression": None, "workers": 2, "concurrency": 4, "sessions": 60,
        "requests": {"total": 1234, "by_route": {"POST /api/dynamic-ai/chat": 260, "GET /api/dynamic-ai/chat": 120}},
        "faults": {"send-503": 12, "send-outage-blip": 7}, "faults_total": 19,
        "sends": {"total": 240, "failed": 1, "recoverable": 5, "error_rate": 1 / 240},
        "history_loads": {"total": 120, "failed": 0, "error_rate": 0.0},
        "retries": {"sends_retried": 14, "retry_attempts": 19, "max_attempts": 3},
        "sync_ms": {"count": 380, "average": 212.5, "p95": 640.0},
        "status_share": {"idle": 0.05, "syncing": 0.12, "connected": 0.81, "error": 0.02},
        "buckets": [
            {"t_s": 0, "sends": 20, "sends_failed": 0, "history": 10, "history_failed": 0,
             "sync_avg_ms": 200.0, "sync_p95_ms": 500.0},
            {"t_s": 30, "sends": 40, "sends_failed": 1, "history": 0, "history_failed": 0,
             "sync_avg_ms": 250.0, "sync_p95_ms": 700.0},
            {"t_s": 60, "sends": 30, "sends_failed": 0, "history": 12, "history_failed": 0,
             "sync_avg_ms": None, "sync_p95_ms": None},
        ],
        "api_metrics": {"sends": {"total": 240, "failed": 1, "error_rate": 1 / 240},
                        "history_loads": {"total": 120, "failed": 0, "error_rate": 0.0},
                        "sync_duration_ms": {"count": 380, "average": 210.0, "p95": 630.0}},
        "gate": {"verdict": "pass", "absolute": 0.01, "tolerance": 0.005, "checks": [
            {"metric": "sends.error_rate", "value": 1 / 240, "limit": 0.005, "baseline": 0.0, "ok": True,
             "why": "≤ baseline 0.0000 + tolerance 0.0050 and ≤ absolute 0.0100"}]},
    }
    rec.update(over)
    return rec


def failed_gate() -> dict[str, Any]:
    return {"verdict": "fail", "absolute": 0.01, "tolerance": 0.005, "checks": [
        {"metric": "sends.error_rate", "value": 0.02, "limit": 0.01, "baseline": 0.0, "ok": False,
         "why": "above absolute 0.0100"},
        {"metric": "history_loads.error_rate", "value": 0.0, "limit": 0.01, "baseline": 0.0, "ok": True,
         "why": "within bounds"}]}


class Checker(HTMLParser):
    """Fails on a mismatched or unclosed tag; collects tooltips."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.svgs = 0
        self.titles: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.svgs += tag == "svg"
        self.in_title = tag == "title"
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()
        self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.titles.append(data)


def parse(page: str) -> Checker:
    checker = Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    for svg in re.findall(r"<svg .*?</svg>", page, flags=re.S):
        ET.fromstring(svg)  # each chart is well-formed XML too
    return checker


def test_a_full_record_renders_every_chart_and_figure() -> None:
    history = [record("r1", "2026-12-01T10:00:00Z", gate=failed_gate()), record("r2", "2026-12-02T10:00:00Z")]
    page = render_dashboard(record(), history)
    checker = parse(page)
    assert checker.svgs == CHARTS
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for text in ("Soak run 20261204T191500Z-7", "mix soak/default.yaml", "seed 7", "2 workers × 4 concurrent",
                 "wall time 212.4 s", "Error rate over the run", "Sync duration over the run", "Across runs"):
        assert text in page
    assert "Quality gate: PASSED" in page and 'class="gate pass"' in page
    # figures: error rates as percentages with 2 decimals, faults per id, both sources
    assert "error rate 0.42%" in page and "error rate 0.00%" in page
    assert "<td>19</td>" in page and ">send-503</td><td>12</td>" in page
    assert "1,234" in page and "avg 212.5 ms · p95 640 ms · 380 syncs" in page
    assert "avg 210 ms · p95 630 ms" in page
    assert page.count("widget analytics (proxy)") >= 3 and page.count("/api/metrics</td>") == 3
    assert "connected 81.00%" in page and "idle 5.00%" in page
    assert "gate bound 1.00%" in page


def test_point_titles_carry_their_values() -> None:
    history = [record("r1", "2026-12-01T10:00:00Z", gate=failed_gate(), sends={"total": 100, "failed": 2})]
    checker = parse(render_dashboard(record(), history))
    tips = checker.titles
    assert "sends error rate, 30–60 s: 2.50% (1/40 failed)" in tips
    assert "avg sync, 0–30 s: 200 ms" in tips and "p95 sync, 30–60 s: 700 ms" in tips
    assert not any(t.startswith("history error rate, 30–60 s") for t in tips)  # no history loads in that slice
    assert not any(t.startswith("avg sync, 60–90 s") for t in tips)  # None skipped
    assert "r1 (2026-12-01T10:00:00Z): sends error rate 2.00%, gate failed" in tips
    assert "20261204T191500Z-7 (2026-12-04T19:15:00Z): p95 sync 640 ms, gate passed" in tips
    assert "connected: 81.00%" in tips


def test_a_failed_gate_is_red_and_lists_the_failing_check() -> None:
    page = render_dashboard(record(gate=failed_gate()), [])
    assert "Quality gate: FAILED" in page and 'class="gate fail"' in page and "PASSED" not in page
    banner = page[page.index('class="gate fail"'):page.index("</section>")]
    assert "sends.error_rate = 2.00%, limit 1.00%: above absolute 0.0100" in banner
    assert "history_loads.error_rate" not in banner  # passing checks are not listed as failing
    assert "#e03131" in page  # the failed run's point


def test_no_gate_is_not_evaluated() -> None:
    page = render_dashboard(record(gate=None), [])
    assert "Quality gate: not evaluated" in page and 'class="gate none"' in page


def test_strings_are_escaped() -> None:
    evil = "<script>alert(1)</script>"
    run = record(run_id=evil, mix=evil, regression=evil, faults={evil: 3},
                 requests={"total": 1, "by_route": {evil: 1}}, status_share={evil: 0.5, "connected": 0.5})
    page = render_dashboard(run, [record(run_id=evil, started=evil)])
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    parse(page)


def test_missing_fields_render_a_dash() -> None:
    nones = {key: None for key in record()}
    for run in ({}, nones, {"sends": {}, "gate": {"checks": [{}]}, "buckets": [{}, {"t_s": None}], "faults": "x"}):
        page = render_dashboard(run, [{}, {"run_id": None}])
        checker = parse(page)
        assert checker.svgs == CHARTS
        assert "Soak run –" in page and "mix –" in page and "seed –" in page
        assert "<td>Sessions</td><td>–</td>" in page
        assert "– total · – failed · – recoverable · error rate –" in page
        assert "no data" in page


def test_empty_history_and_buckets_still_render() -> None:
    page = render_dashboard(record(buckets=[]), [])
    checker = parse(page)
    assert checker.svgs == CHARTS
    assert page.count(">no data</text>") == 2  # the two per-bucket charts; across runs still has this run
    assert "Error rate per run (1 runs)" in page


def test_a_single_bucket_and_all_zero_values() -> None:
    bucket = {"t_s": 0, "sends": 10, "sends_failed": 0, "history": 5, "history_failed": 0,
              "sync_avg_ms": 0.0, "sync_p95_ms": 0.0}
    run = record(buckets=[bucket], sends={"total": 10, "failed": 0, "error_rate": 0.0},
                 sync_ms={"count": 1, "average": 0.0, "p95": 0.0})
    page = render_dashboard(run, [])
    checker = parse(page)
    assert "sends error rate, 0–212.4 s: 0.00% (0/10 failed)" in checker.titles  # width from the wall time
    assert "nan" not in page.lower() and "inf" not in page.replace("info", "")
    assert ">2<" in page  # all-zero rates: the y axis reaches 2× the 1% bound
    assert ">100<" in page  # all-zero durations: at least 100 ms


def test_the_current_run_is_not_duplicated_in_history() -> None:
    run = record()
    page = render_dashboard(run, [record("r1", "2026-12-01T10:00:00Z"), copy.deepcopy(run)])
    assert "Error rate per run (2 runs)" in page
    page = render_dashboard(run, [record("r1", "2026-12-01T10:00:00Z")])
    assert "Error rate per run (2 runs)" in page


def test_rendering_is_deterministic() -> None:
    history = [record("r1", "2026-12-01T10:00:00Z", gate=failed_gate())]
    assert render_dashboard(record(), history) == render_dashboard(copy.deepcopy(record()), copy.deepcopy(history))


def test_write_dashboard_writes_atomically_and_returns_the_path(tmp_path: Path) -> None:
    target = tmp_path / "soak" / "nested" / "dashboard.html"
    assert write_dashboard(target, record(), []) == target
    assert target.read_text(encoding="utf-8") == render_dashboard(record(), [])
    assert write_dashboard(target, record(gate=failed_gate()), []) == target  # overwrites
    assert "Quality gate: FAILED" in target.read_text(encoding="utf-8")
    assert [p.name for p in target.parent.iterdir()] == ["dashboard.html"]  # no temporary file left
