"""Fault mix files: the default one loads, and a bad one is reported like a bad scenario."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.scenario.errors import ScenarioError
from harness.soak.mix import DEFAULT_MIX, load_mix, parse_mix

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", [DEFAULT_MIX, ROOT / "soak" / "history-hang.yaml",
                                  ROOT / "tests" / "soak" / "mixes" / "quick.yaml"])
def test_the_shipped_mixes_load(path: Path) -> None:
    mix = load_mix(path)
    assert mix.faults and mix.gate.absolute == 0.01


def test_the_default_mix_is_the_one_described() -> None:
    mix = load_mix(DEFAULT_MIX)
    effects = {f.id: f.effect for f in mix.faults}
    assert effects["send-503"] == "http:503" and effects["send-rate-limited"] == "http:429"
    assert effects["history-slow"] == "delay" and mix.tcp[0].tcp.proxy == "upstream"


def test_every_problem_is_named_with_its_line() -> None:
    text = "name: bad\nsesions: 3\nfaults:\n  - id: x\n    http: {method: POST}\n    probability: 2\n" \
           "    respond: {status: 503}\n    reset: true\n"
    with pytest.raises(ScenarioError) as caught:
        parse_mix(text, "bad.yaml")
    message = caught.value.render()
    assert message.startswith("bad.yaml: invalid fault mix")
    assert "sesions (line 2): unknown field 'sesions'; did you mean 'sessions'?" in message
    assert "faults[0].probability (line 6)" in message
    assert "faults[0].http.path (line 5): missing required field 'path'" in message
    with pytest.raises(ScenarioError, match="give exactly one effect"):
        parse_mix("name: x\nfaults:\n  - {id: a, http: {path: /x}, probability: 0.1, reset: true, delay_ms: 5}\n")


def test_a_toxic_window_is_refused_and_ids_are_unique() -> None:
    text = ("name: w\nfaults:\n  - {id: a, http: {path: /x}, probability: 0.1, reset: true}\n"
            "tcp:\n  - {id: a, tcp: {proxy: upstream, toxic: latency, latency_ms: 5}, from: x}\n")
    with pytest.raises(ScenarioError) as caught:
        parse_mix(text)
    message = caught.value.render()
    assert "duplicate fault id 'a'" in message and "stay on for the whole run" in message


def test_the_cli_exits_2_on_a_bad_mix_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "mix.yaml"
    bad.write_text("- not\n- a mapping\n")
    done = subprocess.run([sys.executable, "-m", "harness.cli", "soak", str(bad), "--reports", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "a fault mix is a mapping, not a list" in done.stderr and "Traceback" not in done.stderr
