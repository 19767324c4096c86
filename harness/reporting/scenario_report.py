"""One scenario's part of the report, written when its run ends (pass or fail).

Called once from the scenario item's ``finally:``; everything is built from the
timeline and the proxy's flows, never from the browser, except the last
screenshot. It must never turn a verdict into a reporting error, so it catches
its own failures and reports them as an attachment.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from harness.faults.kinds import fault_kinds
from harness.reporting.allure_live import LiveResult
from harness.reporting.environment import environment, properties_text, toxiproxy_version, write_atomic
from harness.reporting.har import har_json
from harness.reporting.logs import console_log, fault_log
from harness.reporting.record import RECORD_NAME, FailureRecord, ScenarioRecord
from harness.reporting.replay import replay_command
from harness.reporting.steps import build_steps
from harness.reporting.swimlane import swimlane_svg
from harness.reporting.timeline_html import timeline_table
from harness.scenario.model import Scenario
from harness.scenario.plan import section_key, section_label
from harness.targets import TargetProfile
from harness.timeline import Timeline
from harness.verdicts import classify

RECORD_KEY = pytest.StashKey[ScenarioRecord]()
_ENVIRONMENT_WRITTEN: set[str] = set()


@dataclass
class ScenarioRun:
    """What the report needs from one finished scenario run."""

    item: pytest.Item
    scenario: Scenario
    profile: TargetProfile
    timeline: Timeline
    flows: Sequence[dict[str, Any]]
    exc: BaseException | None
    page: Any = None
    context: Any = None
    artifacts: Path | None = None
    stack: Any = None


def report_scenario(
    request: pytest.FixtureRequest,
    scenario: Scenario,
    profile: TargetProfile,
    run: Any,
    timeline: Timeline,
    flows: Sequence[dict[str, Any]],
    exc: BaseException | None,
) -> None:
    """The reporting entry point of a scenario item. Never raises."""
    try:
        stack = request.getfixturevalue("chaos_stack")
    except pytest.FixtureLookupError:
        stack = None
    done = ScenarioRun(request.node, scenario, profile, timeline, flows, exc, run.page, run.context, run.artifacts,
                       stack)
    live = LiveResult.of(request.config)
    try:
        record = build_record(done)
        request.node.stash[RECORD_KEY] = record
        if live is not None:
            write_result(live, done, record)
    except Exception:  # noqa: BLE001 - the verdict stands; the reporting failure is shown, not raised
        text = traceback.format_exc()
        sys.stderr.write(f"chaos-harness: reporting failed for {scenario.id}:\n{text}")
        if live is not None:
            live.attach_data(text, "reporting error", "text/plain", "txt")


def browser_name(context: Any) -> str:
    browser = getattr(context, "browser", None)
    if browser is None:
        return "unknown"
    return f"{browser.browser_type.name} {browser.version}"


def target_option(item: pytest.Item, profile: TargetProfile) -> str:
    value = item.config.getoption("--chaos-target", default=None)
    return str(value) if value else profile.name


def build_record(done: ScenarioRun) -> ScenarioRecord:
    scenario, events = done.scenario, done.timeline.events()
    config = done.item.config
    verdict = classify(done.exc)
    failures = list(getattr(done.exc, "failures", None) or [])
    around = next((f.around_seq for f in failures if f.around_seq is not None), None)
    excerpt = done.timeline.excerpt(around) if done.exc is not None else ""
    replay = replay_command(
        Path(str(done.item.path)), seed=scenario.seed, target=target_option(done.item, done.profile),
        regression=config.getoption("--chaos-regression", default=None), root=Path(str(config.rootpath)),
    )
    wall = [e.wall_ms for e in events]
    return ScenarioRecord(
        id=scenario.id,
        title=scenario.title,
        file=_relative(Path(str(done.item.path)), Path(str(config.rootpath))),
        plan=section_label(key) if scenario.plan and (key := section_key(scenario.plan)) else None,
        verdict=str(verdict),
        seed=scenario.seed,
        target=done.profile.name,
        browser=browser_name(done.context),
        replay=replay,
        duration_ms=round(max(wall) - min(wall), 1) if wall else 0.0,
        faults_fired=sum(1 for e in events if e.kind == "fault.fired"),
        failures=[FailureRecord(f.expectation, f.expected, f.actual, f.render()) for f in failures],
        error=None if failures or done.exc is None else f"{type(done.exc).__name__}: {done.exc}",
        excerpt=excerpt,
    )


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def description(scenario: Scenario, record: ScenarioRecord, kinds: list[str]) -> str:
    """Markdown: the title, the notes (why the scenario exists), and how to replay it."""
    lines = [f"**{scenario.title}**", ""]
    if scenario.notes.strip():
        lines += [scenario.notes.strip(), ""]
    lines += [
        f"- scenario: `{scenario.id}` (`{record.file}`)",
        f"- plan: {record.plan or 'not traced to the plan'}",
        f"- seed {record.seed} · target `{record.target}` · {record.browser}",
        f"- faults: {', '.join(f'`{k}`' for k in kinds) or 'none'}",
        f"- verdict: **{record.verdict}**",
        "",
        "Replay this run with the same seed, from the project root:",
        "",
        f"    {record.replay}",
    ]
    return "\n".join(lines)


def write_result(live: LiveResult, done: ScenarioRun, record: ScenarioRecord) -> None:
    scenario, events, item = done.scenario, done.timeline.events(), done.item
    kinds = fault_kinds(scenario)
    live.set_title(scenario.title)
    live.set_description(description(scenario, record, kinds))
    if record.plan:
        live.add_label("epic", record.plan)
    live.add_label("feature", Path(str(item.path)).parent.name)
    live.add_label("story", scenario.id)
    live.add_label("severity", scenario.severity)
    for tag in scenario.tags:
        live.add_label("tag", tag)
    for kind in kinds:
        live.add_label("fault", kind)
    live.replace_label("verdict", record.verdict)
    live.add_parameter("seed", str(scenario.seed), excluded=True)
    live.add_parameter("target", record.target)
    live.add_parameter("browser", record.browser)

    epoch_ms = time.time() * 1000 - done.timeline.now_ms()
    live.add_steps(build_steps(scenario, events, done.exc), epoch_ms)

    # Attachments in reading order: the picture of the run first, then the evidence.
    api = done.profile.api
    background = frozenset(p for p in (api.analytics, api.telemetry) if p)
    title = f"{scenario.id}: {scenario.title}"
    live.attach_data(swimlane_svg(events, title=title, background=background, chat_path=api.chat),
                     "timeline (swimlane)", "image/svg+xml", "svg")
    subtitle = f"seed {scenario.seed} · target {record.target} · verdict {record.verdict}"
    live.attach_data(timeline_table(events, title=title, subtitle=subtitle), "timeline (table)", "text/html", "html")
    end_shot = take_end_screenshot(done)
    if end_shot is not None:
        live.attach_file(end_shot, "screenshot: end of run", "image/png", "png")
    live.attach_data(har_json(done.flows, page_title=title), "network log (HAR, credentials redacted)",
                     "application/json", "har")
    live.attach_data(fault_log(events), "fault log", "text/plain", "txt")
    live.attach_data(console_log(events), "console log", "text/plain", "txt")
    live.attach_file(Path(str(item.path)), f"scenario file: {record.file}", "text/yaml", "yaml")
    live.attach_data(record.replay + "\n", "replay command (same seed)", "text/plain", "txt")
    live.attach_data(record.to_json(), RECORD_NAME, "application/json", "json")
    write_environment(item.config, done)


def _toxiproxy_binary() -> Path | None:
    from harness.infra.toxiproxy_server import find_binary

    try:
        return find_binary()
    except Exception:  # noqa: BLE001 - only a label in the Environment panel depends on it
        return None


def take_end_screenshot(done: ScenarioRun) -> Path | None:
    page = done.page
    if page is None or done.artifacts is None or page.is_closed():
        return None
    path = done.artifacts / "zz-end.png"
    try:
        done.artifacts.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), timeout=5_000)
    except Exception:  # noqa: BLE001 - a dead page has no end state to show; the run's verdict says why
        return None
    return path


def write_environment(config: pytest.Config, done: ScenarioRun) -> None:
    """The Environment panel, once per worker process (every worker writes the same facts)."""
    results = getattr(config.option, "allure_report_dir", None)
    if not results or results in _ENVIRONMENT_WRITTEN:
        return
    toxiproxy = getattr(done.stack, "toxiproxy", None)
    props = environment(
        browser=browser_name(done.context),
        target=done.profile.name,
        app=getattr(done.stack, "app_url", None) or getattr(done.stack, "base_url", "") or "",
        toxiproxy=toxiproxy_version(getattr(toxiproxy, "host", None), getattr(toxiproxy, "port", None),
                                    _toxiproxy_binary()),
        regression=config.getoption("--chaos-regression", default=None),
    )
    write_atomic(Path(results) / "environment.properties", properties_text(props))
    _ENVIRONMENT_WRITTEN.add(results)
