import xml.etree.ElementTree as ET

from harness.reporting.swimlane import nice_step, outcome, swimlane_svg
from harness.reporting.timeline_html import timeline_table
from tests.reporting.helpers import Events, history_503_run

SVG = "{http://www.w3.org/2000/svg}"


def test_the_chart_is_valid_svg_with_every_lane() -> None:
    svg = swimlane_svg(history_503_run(), title="history-503 <&>", chat_path="/api/dynamic-ai/chat")
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for lane in ("steps", "UI status", "toasts", "requests", "faults"):
        assert lane in texts
    assert "history-503 <&>" in texts  # escaped in the file, intact once parsed
    assert "error" in texts  # the status segment is labelled
    assert any(t and t.startswith("history-down answered 503") for t in texts)
    assert any(t == "GET chat 503" for t in texts)
    tips = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert any("Unable to sync history" in tip for tip in tips)


def test_background_requests_are_muted_and_unlabelled() -> None:
    t = Events()
    t.add("net.request", 0, 1000, id="a", method="POST", url="/api/analytics")
    t.add("net.end", 5, 1005, id="a", method="POST", url="/api/analytics")
    svg = swimlane_svg(t.events, title="x", background=frozenset({"/api/analytics"}))
    assert "POST analytics" not in svg
    assert "#d9dde3" in svg


def test_ticks_and_outcomes() -> None:
    assert nice_step(60_000) == 10_000
    assert nice_step(900) == 100
    assert outcome(200, None) == "ok" and outcome(429, None) == "client" and outcome(503, None) == "server"
    assert outcome(None, "reset") == "network" and outcome(None, None) == "open"


def test_the_table_has_a_row_per_event_and_escapes_data() -> None:
    events = history_503_run()
    t = Events()
    t.add("console.error", 1, text="<script>alert(1)</script>")
    html = timeline_table(events + t.events, title="t")
    assert html.count("<tr class=") == len(events) + 1
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert 'class="fault-fired"' in html
