"""Flake hunting's bookkeeping: which verdicts changed, and the pytest lines of each repetition."""

from __future__ import annotations

from harness import cli
from harness.deadline import Deadline, ScenarioTimeout
from harness.repeat import RepeatRun
from harness.verdicts import Verdict, classify


def test_a_changed_verdict_is_flaky_and_skips_or_interruptions_are_not() -> None:
    hunt = RepeatRun(workers="2")
    hunt.add(5, {"a": "passed", "b": "passed", "c": "skipped"})
    hunt.add(6, {"a": "widget regression", "b": "passed", "c": "passed"})
    hunt.add(7, {"a": "passed", "b": "interrupted"})
    assert hunt.flaky() == {"a": ["passed", "widget regression", "passed"]}
    assert hunt.counts() == {"passed": 5, "widget regression": 1, "skipped": 1, "interrupted": 1}
    text = hunt.render()
    assert "3 repetition(s) × 3 scenario(s) with -n 2; random order, seeds 5, 6, 7" in text
    assert "a  PFP" in text


def test_a_stable_hunt_says_so() -> None:
    hunt = RepeatRun()
    for _ in range(3):
        hunt.add(None, {"a": "passed"})
    assert hunt.flaky() == {}
    assert "serial; file order" in hunt.render() and "no scenario changed verdict (1 stable)" in hunt.render()


def test_each_repetition_has_its_own_summary_and_only_the_first_cleans_the_results() -> None:
    args = cli.build_parser().parse_args(["run", "--repeat", "3", "--random-order", "--timeout", "30"])
    first, second = cli.pytest_argv(args, 0, 40), cli.pytest_argv(args, 1, 41)
    assert "--clean-alluredir" in first and "--clean-alluredir" not in second
    assert "reports/repeat/summary-02.json" in second and "reports/repeat/junit-02.xml" in second
    assert second[second.index("--chaos-shuffle") + 1] == "41"
    assert second[second.index("--chaos-timeout") + 1] == "30.0"


def test_repeat_must_be_at_least_one() -> None:
    import pytest

    for bad in ("0", "-1", "x"):
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(["run", "--repeat", bad])


def test_a_scenario_past_its_bound_is_broken_not_a_regression() -> None:
    deadline = Deadline(0.0, started=0.0)
    try:
        deadline.check("steps[2] (wait_for)")
    except ScenarioTimeout as exc:
        assert classify(exc) == Verdict.BROKEN
        assert "exceeded its wall-clock bound of 0 s (at steps[2] (wait_for)" in str(exc)
        assert "--timeout" in str(exc)
    else:
        raise AssertionError("the deadline did not fire")
    Deadline(60).check("steps[0]")  # within its bound: nothing


def test_an_interrupted_scenario_has_no_verdict_either_way() -> None:
    assert classify(KeyboardInterrupt()) == Verdict.INTERRUPTED
