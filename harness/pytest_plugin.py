"""pytest plugin: collect ``scenarios/**/*.yaml`` as test items and run them.

Each scenario is a real pytest item (``-k``, ``-n``, ``--junitxml`` and markers
work) built on pytest-playwright's fixture ladder, so ``--headed``,
``--tracing`` and ``--video`` keep working.
"""

from __future__ import annotations

import json
import random
import signal
import sys
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.browser.probes import install_probes
from harness.deadline import DEFAULT_TIMEOUT_S, Deadline, Watchdog
from harness.faults.driver import FaultDriver
from harness.faults.http_addon import ChaosHttpFaults
from harness.infra.errors import InfrastructureError
from harness.infra.stacks import Stack, start_stack
from harness.reporting.scenario_report import report_scenario
from harness.runner import Run
from harness.scenario import Scenario, ScenarioError, load_scenario
from harness.scenario.errors import Problem
from harness.targets import TargetProfile, resolve_target
from harness.timeline import Timeline
from harness.timeline.flow_recorder import FlowRecorder, Routes
from harness.verdicts import Verdict, classify

SCENARIO_KEY = pytest.StashKey[Scenario]()
TIMELINE_KEY = pytest.StashKey[Timeline]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("chaos", "chaos-harness")
    group.addoption("--chaos-target", default="reference",
                    help="target profile: a name under targets/ or a path to a profile YAML (default: reference)")
    group.addoption("--chaos-regression", metavar="NAME",
                    help="serve the reference widget with one defect of its regression catalogue switched on")
    group.addoption("--chaos-seed", type=int, default=None, help="override every scenario's seed (replay a run)")
    group.addoption("--chaos-timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                    help=f"wall-clock bound of one scenario in seconds (default {DEFAULT_TIMEOUT_S:g}); "
                         "past it the scenario is reported broken and torn down")
    group.addoption("--chaos-shuffle", type=int, default=None, metavar="SEED",
                    help="run scenarios in a random order drawn from SEED (flake hunting)")
    group.addoption(
        "--chaos-summary",
        metavar="PATH",
        help="Write each scenario's verdict (passed, widget regression, broken, invalid) as JSON.",
    )


def pytest_configure(config: pytest.Config) -> None:
    summary = config.getoption("--chaos-summary")
    if summary and not hasattr(config, "workerinput"):
        config.pluginmanager.register(VerdictSummary(Path(summary)), "chaos_verdict_summary")
    config.addinivalue_line("markers", "scenario: a chaos-harness YAML scenario")
    config.addinivalue_line("markers", "e2e: drives a real browser against real proxies")
    config.addinivalue_line("markers", "smoke: the quick pre-merge / post-deploy subset of scenarios")
    # Registered last, so its fixtures override pytest-playwright's defaults.
    config.pluginmanager.import_plugin("harness.pytest_fixtures")
    config.pluginmanager.import_plugin("harness.reporting.plugin")
    # SIGTERM (CI cancelling a job) must unwind like Ctrl-C so teardown runs.
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


def _raise_keyboard_interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Label every report with its verdict, so failures are never mislabelled."""
    report = yield
    if isinstance(item, ScenarioItem | InvalidScenarioItem) and (call.when == "call" or report.failed):
        exc = call.excinfo.value if call.excinfo else None
        verdict = Verdict.SKIPPED if report.skipped else classify(exc)
        report.user_properties.append(("chaos_verdict", str(verdict)))
    return report


class VerdictSummary:
    """Collects verdicts on the controller (xdist workers' reports arrive here too)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.verdicts: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            if key == "chaos_verdict":
                self.verdicts[report.nodeid] = str(value)

    def pytest_sessionfinish(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"scenarios": self.verdicts}, indent=2))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--chaos-shuffle SEED``: one random order, the same on every xdist worker."""
    seed = config.getoption("--chaos-shuffle")
    if seed is not None:
        random.Random(seed).shuffle(items)


def pytest_report_header(config: pytest.Config) -> str | None:
    seed = config.getoption("--chaos-shuffle")
    return f"chaos-harness: scenario order shuffled with seed {seed}" if seed is not None else None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and "scenarios" in file_path.parts:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    """One YAML file: one scenario item, or one item that reports it invalid."""

    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenario = load_scenario(self.path)
        except ScenarioError as exc:
            yield InvalidScenarioItem.from_parent(self, name=self.path.stem, error=exc)
            return
        item = ScenarioItem.from_parent(self, name=scenario.id, callobj=_run_scenario)
        item.stash[SCENARIO_KEY] = scenario
        item.add_marker("scenario")
        item.add_marker("e2e")
        for tag in scenario.tags:
            item.keywords[tag] = True
        if "smoke" in scenario.tags:
            item.add_marker("smoke")
        yield item


class ScenarioItem(pytest.Function):
    """A scenario run through fixtures, reporting failures in domain words."""

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario: {self.name}"

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        from harness.assertions import ExpectationFailed

        if isinstance(excinfo.value, ExpectationFailed):
            return f"widget regression in {self.path.name}:\n{excinfo.value}"
        if isinstance(excinfo.value, InfrastructureError):
            return f"broken infrastructure (not a widget verdict):\n  {excinfo.value}"
        return str(super().repr_failure(excinfo))


class InvalidScenarioItem(pytest.Item):
    """Stands for a file that failed validation, so the run reports it."""

    def __init__(self, *, error: ScenarioError, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def runtest(self) -> None:
        raise self.error

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"invalid scenario: {self.path.name}"


def _run_scenario(
    request: pytest.FixtureRequest,
    chaos_stack: Stack,
    chaos_profile: TargetProfile,
    chaos_http_faults: ChaosHttpFaults,
    chaos_recorder: FlowRecorder,
    context: Any,
    output_path: str,
) -> None:
    """The body of every scenario item."""
    scenario = request.node.stash[SCENARIO_KEY]
    seed = request.config.getoption("--chaos-seed")
    if seed is not None:
        scenario = scenario.model_copy(update={"seed": int(seed)})
    if scenario.target is not None and scenario.target != chaos_profile.name:
        pytest.skip(f"written for target '{scenario.target}', this run targets '{chaos_profile.name}'")
    check_target_supports(scenario, chaos_stack, chaos_profile)
    timeline = Timeline()
    request.node.stash[TIMELINE_KEY] = timeline
    api = chaos_profile.api
    chaos_recorder.attach(
        lambda kind, data: timeline.add(kind, data, source="proxy"),
        Routes(chat=api.chat, analytics=api.analytics, telemetry=api.telemetry),
    )
    install_probes(context, timeline, chaos_profile, seed=scenario.seed)
    faults = FaultDriver(chaos_http_faults, chaos_stack.toxiproxy, timeline)
    bound = float(request.config.getoption("--chaos-timeout"))
    run = Run(scenario, chaos_profile, context, chaos_stack.base_url, faults, timeline, Path(output_path),
              deadline=Deadline(bound))
    try:
        try:
            with Watchdog(bound, scenario.id):
                run.execute()
        finally:
            problems = chaos_stack.health()
            if problems:  # whatever the widget seemed to do, the harness was broken
                raise InfrastructureError(
                    "harness", "; ".join(problems),
                    "see the component's log in the worker's work folder; rerun once it starts cleanly",
                )
    finally:
        report_scenario(request, scenario, chaos_profile, run, timeline, chaos_recorder.snapshot(), sys.exc_info()[1])
        chaos_recorder.attach(None)


def check_target_supports(scenario: Scenario, stack: Stack, profile: TargetProfile) -> None:
    """TCP faults need a Toxiproxy proxy of that name on this target's path."""
    from harness.scenario.faults import TcpFault
    from harness.scenario.steps import AddFault

    faults = [*scenario.faults, *(s.add_fault for s in scenario.steps if isinstance(s, AddFault))]
    problems = [
        Problem(f"faults[{i}].tcp.proxy", None,
                f"target '{profile.name}' has no Toxiproxy proxy '{f.tcp.proxy}'",
                f"proxies on this target: {', '.join(stack.proxies) or 'none (forward mode has no Toxiproxy)'}")
        for i, f in enumerate(faults)
        if isinstance(f, TcpFault) and f.tcp.proxy not in stack.proxies
    ]
    if problems:
        raise ScenarioError(scenario.id, problems)


@pytest.fixture(scope="session")
def chaos_http_faults() -> ChaosHttpFaults:
    """The worker's one mitmproxy fault addon."""
    return ChaosHttpFaults()


@pytest.fixture(scope="session")
def chaos_recorder() -> FlowRecorder:
    """The worker's one mitmproxy flow recorder (network log, analytics, telemetry)."""
    return FlowRecorder()


@pytest.fixture(scope="session")
def chaos_profile(pytestconfig: pytest.Config) -> TargetProfile:
    """The target profile this run points at (``--chaos-target``)."""
    return resolve_target(str(pytestconfig.getoption("--chaos-target")))


@pytest.fixture(scope="session")
def chaos_stack(
    chaos_profile: TargetProfile,
    chaos_recorder: FlowRecorder,
    chaos_http_faults: ChaosHttpFaults,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[Stack]:
    """The chain in front of the target's app, once per worker."""
    work = tmp_path_factory.mktemp("chaos-stack")
    # The recorder goes first, so it sees requests that a fault answers or kills.
    regression = request.config.getoption("--chaos-regression")
    with start_stack(chaos_profile, [chaos_recorder, chaos_http_faults], work, regression=regression) as stack:
        yield stack
