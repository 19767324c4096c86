"""The loader reports every problem with file, line, field, a fix, and exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.scenario import ScenarioError, load_scenario
from harness.scenario.faults import HttpFault, TcpFault
from harness.scenario.loader import parse_scenario

GOOD = """\
id: history-503
title: History fails
faults:
  - id: down
    http: {method: GET, path: /api/dynamic-ai/chat}
    respond: {status: 503, json: {ok: false}}
  - id: slow
    tcp: {proxy: upstream, toxic: latency, latency_ms: 300}
steps:
  - open_widget
  - wait_for: {status: error}
  - heal: down
expect:
  status: {sequence: [idle, syncing, error], final: error}
"""


def problems_of(text: str) -> str:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "s.yaml")
    assert caught.value.exit_code == 2
    return caught.value.render()


def test_a_valid_scenario_becomes_a_typed_model() -> None:
    scenario = parse_scenario(GOOD)
    assert scenario.id == "history-503"
    assert isinstance(scenario.faults[0], HttpFault)
    assert isinstance(scenario.faults[1], TcpFault)
    assert scenario.faults[0].respond is not None and scenario.faults[0].respond.json_body == {"ok": False}
    assert scenario.expect.status is not None and scenario.expect.status.final == "error"


def test_every_problem_is_reported_with_line_and_suggestion() -> None:
    text = GOOD.replace("latency_ms: 300", "latncy_ms: 300").replace("final: error", "final: eror")
    text = text.replace("- heal: down", "- heal: dwn")
    rendered = problems_of(text)
    assert rendered.startswith("s.yaml: invalid scenario (3 problems)")
    assert "faults[1].tcp.latncy_ms (line 8): unknown field 'latncy_ms'; did you mean 'latency_ms'?" in rendered
    assert "valid fields here: proxy, stream, toxicity, toxic, latency_ms, jitter_ms" in rendered
    assert "expect.status.final (line 14): 'eror' is not a status; did you mean 'error'?" in rendered
    assert "steps[2].heal (line 12): no fault with id 'dwn'" in rendered


def test_unknown_step_lists_the_valid_steps() -> None:
    rendered = problems_of(GOOD.replace("- open_widget", "- opne_widget"))
    assert "steps[0] (line 10): unknown step 'opne_widget'; did you mean 'open_widget'?" in rendered
    assert "valid steps: load_page, open_widget, type, send, click, reload, offline, online, wait_for," in rendered


def test_unknown_toxic_suggests_the_right_name() -> None:
    rendered = problems_of(GOOD.replace("toxic: latency", "toxic: latenc"))
    assert "faults[1].tcp.toxic (line 8): 'latenc' is not a valid toxic; did you mean 'latency'?" in rendered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "file is empty"),
        ("- a\n- b\n", "a scenario is a mapping of fields, not a list"),
        ("id: [unclosed\n", "not valid YAML"),
        ("id: a\nid: b\ntitle: t\nsteps: [open_widget]\n", "duplicate key 'id'"),
        ("!!python/object/apply:os.system ['true']\n", "tags such as !!python/object are not allowed"),
        (
            "a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
            "too complex",
        ),
        ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 60)), "nested deeper than"),
    ],
)
def test_bad_documents_give_a_clear_problem(text: str, expected: str) -> None:
    assert expected in problems_of(text)


def test_binary_file_is_reported_not_raised(tmp_path: Path) -> None:
    bad = tmp_path / "scenarios" / "bin.yaml"
    bad.parent.mkdir()
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ScenarioError, match="not UTF-8 text"):
        load_scenario(bad)


def test_inject_requires_an_unarmed_fault() -> None:
    text = GOOD.replace("- heal: down", "- inject: down")
    assert "fault 'down' is already armed from the start" in problems_of(text)


def test_every_committed_scenario_is_valid() -> None:
    root = Path(__file__).resolve().parents[2] / "scenarios"
    files = sorted(root.rglob("*.yaml"))
    assert files, "the suite has scenarios"
    for file in files:
        load_scenario(file)
