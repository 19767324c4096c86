"""Fault rules are validated before anything is applied, with file, line and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.faults import fault_kinds
from harness.faults.toxics import toxic_attributes
from harness.scenario import ScenarioError
from harness.scenario.faults import HTTP_EFFECTS, TOXIC_MODELS, HttpFault, TcpFault
from harness.scenario.loader import parse_scenario

HEAD = "id: s\ntitle: t\nfaults:\n"
STEPS = "steps:\n  - load_page\n  - open_widget\n  - wait_for: {status: error}\n"


def problems(faults: str, steps: str = STEPS) -> str:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(HEAD + faults + steps, "f.yaml")
    return caught.value.render()


def one(faults: str) -> HttpFault | TcpFault:
    return parse_scenario(HEAD + faults + STEPS, "f.yaml").faults[0]


EXAMPLES = {
    "respond": "{status: 503, json: {ok: false}}",
    "rate_limit": "{retry_after_s: 30, format: http_date}",
    "delay": "{ms: 1500, jitter_ms: 200, at: chunks}",
    "hang": "{max_ms: 5000, then: reset}",
    "reset": "{at: response}",
    "malformed_body": "wrong_schema",
    "truncate_stream": "{after_events: 2, then: end}",
    "patch_body": "{set: {/assistantMessage: '<img src=x onerror=alert(1)>'}, where: {ok: true}}",
}


@pytest.mark.parametrize("effect", list(HTTP_EFFECTS))
def test_every_http_effect_has_a_valid_example_and_its_kind(effect: str) -> None:
    fault = one(f"  - id: f\n    http: {{path: /api/dynamic-ai/chat}}\n    {effect}: {EXAMPLES[effect]}\n")
    assert isinstance(fault, HttpFault)
    assert fault.effect_key == effect
    assert fault.kind == f"http:{HTTP_EFFECTS[effect]}"


@pytest.mark.parametrize("toxic", list(TOXIC_MODELS))
def test_every_toxic_translates_to_toxiproxy_attributes(toxic: str) -> None:
    fields = {
        "latency": "latency_ms: 100, jitter_ms: 10",
        "bandwidth": "rate_kbps: 8",
        "slow_close": "delay_ms: 100",
        "timeout": "timeout_ms: 0",
        "reset_peer": "timeout_ms: 10",
        "slicer": "average_size: 16, size_variation: 4, delay_us: 500",
        "limit_data": "bytes: 100",
        "down": "",
    }[toxic]
    fault = one(f"  - id: f\n    tcp: {{proxy: edge, toxic: {toxic}{', ' + fields if fields else ''}}}\n")
    assert isinstance(fault, TcpFault) and fault.kind == f"tcp:{toxic}"
    if toxic != "down":
        attributes = toxic_attributes(fault.tcp)
        assert attributes and all(not k.endswith(("_ms", "_us", "_kbps")) for k in attributes)


def test_shorthands() -> None:
    delay = one("  - id: f\n    http: {path: /x}\n    delay: 300\n")
    assert isinstance(delay, HttpFault) and delay.delay is not None and delay.delay.ms == 300
    reset = one("  - id: f\n    http: {path: /x}\n    reset:\n")
    assert isinstance(reset, HttpFault) and reset.reset is not None and reset.reset.at == "request"


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        (
            "  - id: f\n    http: {path: /x}\n",
            "faults[0] (line 4): an http fault needs one effect: respond, rate_limit, delay, hang, reset,",
        ),
        (
            "  - id: f\n    http: {path: /x}\n    respond: {status: 503}\n    reset: {}\n",
            "faults[0].reset (line 7): an http fault has exactly one effect; this one already has 'respond'",
        ),
        (
            "  - id: f\n    http: {path: /x}\n    rate_limt: {retry_after_s: 1}\n",
            "faults[0].rate_limt (line 6): unknown field 'rate_limt'; did you mean 'rate_limit'?",
        ),
        (
            "  - id: f\n    http: {method: GET}\n    reset: {}\n",
            "faults[0].http.path (line 5): missing required field 'path'",
        ),
        (
            "  - id: f\n    http: {path: /x, path_regex: x}\n    reset: {}\n",
            "faults[0].http.path_regex (line 5): 'path_regex' cannot be combined with 'path'",
        ),
        (
            "  - id: f\n    http: {path_regex: '('}\n    reset: {}\n",
            "faults[0].http.path_regex (line 5): not a valid regular expression",
        ),
        (
            "  - id: f\n    http: {path: /x}\n    respond: {status: 503, json: {}, text: x}\n",
            "faults[0].respond.text (line 6): 'text' cannot be combined with 'json'",
        ),
        (
            "  - id: f\n    http: {path: /x}\n    hang: {then: reset}\n",
            "faults[0].hang.then (line 6): 'then' says what happens at max_ms, and there is none",
        ),
        (
            "  - id: f\n    http: {path: /x}\n    truncate_stream: {then: end}\n",
            "faults[0].truncate_stream.after_events (line 6): missing required field 'after_events'",
        ),
        (
            "  - id: f\n    http: {path: /x}\n    patch_body: {set: {assistantMessage: x}}\n",
            "faults[0].patch_body.set.assistantMessage (line 6): 'assistantMessage' is not a JSON Pointer",
        ),
        (
            "  - id: f\n    http: {path: /x}\n    malformed_body: {as: empty, json: {}}\n",
            "faults[0].malformed_body.json (line 6): 'json' replaces the body only with as: wrong_schema",
        ),
        (
            "  - id: f\n    http: {path: /x}\n    reset: {}\n    repeat: true\n",
            "faults[0].repeat (line 7): 'repeat' repeats a 'pattern', and there is none",
        ),
        (
            "  - id: f\n    http: {path: /x}\n    reset: {}\n    pattern: [fail, pas]\n",
            "faults[0].pattern[1] (line 7): 'pas' is not a valid value; did you mean 'pass'?",
        ),
        (
            "  - id: f\n    http: {path: /x}\n    reset: {}\n    probability: 1.5\n",
            "faults[0].probability (line 7): input should be less than or equal to 1",
        ),
        (
            "  - id: f\n    tcp: {proxy: edge, toxic: latency, latency_ms: 5}\n    times: 1\n",
            "faults[0].times (line 6): 'times' counts HTTP requests; a tcp fault acts on whole kept-alive",
        ),
        (
            "  - id: f\n    tcp: {proxy: edge, toxic: slicer, average_size: 4, size_variation: 4}\n",
            "faults[0].tcp.size_variation (line 5): size_variation must be less than average_size",
        ),
        (
            "  - id: f\n    tcp: {proxy: edge, toxic: bandwidth, rate_kbs: 1}\n",
            "faults[0].tcp.rate_kbs (line 5): unknown field 'rate_kbs'; did you mean 'rate_kbps'?",
        ),
        (
            "  - id: f\n    tcp: {proxy: edge, toxic: limit_data, bytes: 10}\n    from: open_widgt\n",
            "faults[0].from (line 6): no step is named 'open_widgt'; did you mean 'open_widget'?",
        ),
        (
            "  - id: f\n    tcp: {proxy: edge, toxic: limit_data, bytes: 10}\n    from: 2\n    until: 1\n",
            "faults[0].until (line 7): the window ends (step 1) before it starts (step 2)",
        ),
        (
            "  - id: f\n    tcp: {proxy: edge, toxic: limit_data, bytes: 10}\n    until: 9\n",
            "faults[0].until (line 6): there is no step 9 (steps are numbered 0 to 2)",
        ),
        (
            "  - id: f\n    tcp: {proxy: edge, toxic: down}\n    armed: false\n    from: 1\n",
            "faults[0].from (line 7): 'from' installs the fault at a step, and `armed: false` waits",
        ),
    ],
)
def test_invalid_rules_name_the_field_and_line(faults: str, expected: str) -> None:
    assert expected in problems(faults)


def test_a_step_name_used_twice_must_be_given_by_index() -> None:
    steps = "steps:\n  - open_widget\n  - wait_for: {status: error}\n  - wait_for: {status: idle}\n"
    rendered = problems("  - id: f\n    http: {path: /x}\n    reset: {}\n    until: wait_for\n", steps)
    assert "'wait_for' is the name of 2 steps (steps[1], steps[2]); give the index instead" in rendered


def test_a_fault_added_by_a_step_has_no_from_and_ends_later() -> None:
    steps = (
        "steps:\n  - open_widget\n"
        "  - add_fault: {id: g, http: {path: /x}, reset: {}, from: 0, until: 0}\n"
        "  - wait_for: {status: error}\n"
    )
    rendered = problems("  []\n", steps)
    assert "steps[1].add_fault.from" in rendered and "a fault added by a step is installed at that step" in rendered
    assert "steps[1].add_fault.until" in rendered and "step 0 comes before this one" in rendered


def test_the_readme_fault_examples_are_valid() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Faults") : readme.index("## The CLI")]
    example = re.findall(r"```yaml\n(.*?)```", section, re.S)[0]
    scenario = parse_scenario("id: readme\ntitle: t\n" + example + "steps: [open_widget]\n")
    assert fault_kinds(scenario) == sorted(f"http:{kind}" for kind in HTTP_EFFECTS.values())
