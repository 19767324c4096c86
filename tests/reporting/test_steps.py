from pathlib import Path

from harness.assertions import ExpectationFailed, Failure
from harness.infra.errors import InfrastructureError
from harness.reporting.steps import BROKEN, FAILED, PASSED, SKIPPED, build_steps, describe
from harness.timeline import Timeline
from tests.reporting.helpers import history_503_run, scenario


def names(nodes: list) -> list[str]:  # type: ignore[type-arg]
    return [n.name for n in nodes]


def test_steps_mirror_the_scenario_with_faults_as_sub_steps(tmp_path: Path) -> None:
    nodes = build_steps(scenario(tmp_path), history_503_run(), None)
    assert names(nodes) == [
        "install faults", "open_widget", "wait_for status: error", "heal history-down",
        "settle: wait until nothing is in flight, then stay quiet", "expectations",
    ]
    install, open_widget, wait, heal = nodes[:4]
    assert names(install.children) == ["fault installed: history-down [http:status] (start)"]
    fired = open_widget.children[0]
    assert fired.name == ("fault fired: history-down [http:status] on GET /api/dynamic-ai/chat?sessionId=s: "
                          "answered 503")
    assert fired.parameters == {"occurrence": "1"}
    assert open_widget.start_ms == 2 and open_widget.stop_ms == 150
    assert wait.screenshots == [("wait-1", Path("/nonexistent/00-wait-1.png"))]
    assert names(heal.children) == ["fault healed: history-down [http:status] (heal)"]
    assert {n.status for n in nodes} == {PASSED}


def test_failed_expectations_fail_their_own_sub_step(tmp_path: Path) -> None:
    failure = Failure("expect.status.final", "error", "connected")
    exc = ExpectationFailed([failure, Failure("page", "the launcher", "missing")], Timeline())
    expectations = build_steps(scenario(tmp_path), history_503_run(), exc)[-1]
    assert expectations.status == FAILED
    by_name = {n.name.split(":", 1)[0]: n for n in expectations.children}
    assert by_name["expect.status"].status == FAILED
    assert "expected error" in str(by_name["expect.status"].message)
    assert by_name["expect.toasts"].status == PASSED
    assert by_name["page"].status == FAILED  # not under any expect key: listed on its own


def test_a_run_stopped_mid_way_fails_the_step_it_stopped_in(tmp_path: Path) -> None:
    exc = ExpectationFailed([Failure("steps[1].wait_for", "the badge to reach 'error'", "idle")], Timeline())
    nodes = build_steps(scenario(tmp_path), history_503_run(finished=False), exc)
    by_name = {n.name: n for n in nodes}
    assert by_name["wait_for status: error"].status == FAILED
    assert "steps[1].wait_for" in str(by_name["wait_for status: error"].message)
    assert by_name["heal history-down"].status == SKIPPED  # never reached
    assert by_name["expectations"].status == SKIPPED  # never evaluated, so not "passed"
    assert {c.status for c in by_name["expectations"].children} == {SKIPPED}


def test_infrastructure_errors_break_the_step_instead_of_failing_it(tmp_path: Path) -> None:
    exc = InfrastructureError("toxiproxy", "reset failed")
    nodes = build_steps(scenario(tmp_path), history_503_run(finished=False), exc)
    wait = next(n for n in nodes if n.name.startswith("wait_for"))
    assert wait.status == BROKEN
    assert str(wait.message).startswith("broken infrastructure")


def test_describe_is_compact() -> None:
    assert describe("open_widget", None) == "open_widget"
    assert describe("open_widget", {"path": "/"}) == "open_widget"
    assert describe("send", {"text": "hello", "repeat": 2}) == "send text: hello, repeat: 2"
    assert describe("advance", {"ms": 30000}) == "advance ms: 30000"
