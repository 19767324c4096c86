"""The scenario's steps as a tree for the report, rebuilt from the timeline after the run.

allure-pytest opens steps as context managers while code runs; a scenario's steps
are only known for sure afterwards (which ran, which fault fired inside which,
where it failed), so the tree is built from the ``step.start`` events, with the
faults that fired as sub-steps and each wait's screenshot inside its step.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.scenario import steps as st
from harness.scenario.model import Scenario
from harness.timeline import Event
from harness.verdicts import Verdict, classify

PASSED, FAILED, BROKEN, SKIPPED = "passed", "failed", "broken", "skipped"


@dataclass
class StepNode:
    """One step of the report; times are wall milliseconds since the timeline started."""

    name: str
    start_ms: float
    stop_ms: float
    status: str = PASSED
    message: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    children: list[StepNode] = field(default_factory=list)
    screenshots: list[tuple[str, Path]] = field(default_factory=list)


def describe(step: str, args: Any) -> str:
    """``wait_for`` + ``{"status": "error"}`` → ``wait_for status: error``."""
    if args in (None, {}, ""):
        return step
    if isinstance(args, dict):
        parts = [f"{k}: {_compact(v)}" for k, v in args.items() if k != "path" or v != "/"]
        return f"{step} {', '.join(parts)}".strip()
    return f"{step} {_compact(args)}"


def _compact(value: Any) -> str:
    if isinstance(value, str):
        return value
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= 100 else text[:97] + "..."


def fault_step(event: Event) -> StepNode:
    """A fault decision as a zero-length sub-step: what fired, on which request, what it did."""
    d = event.data
    verb = event.kind.removeprefix("fault.")
    target = f" on {d['method']} {d['path']}" if d.get("method") else ""
    action = f": {d['action']}" if d.get("action") else (f" ({d['reason']})" if d.get("reason") else "")
    params = {k: str(d[k]) for k in ("occurrence", "connection", "flow", "draw") if d.get(k) is not None}
    return StepNode(
        f"fault {verb}: {d.get('fault')} [{d.get('kind')}]{target}{action}", event.wall_ms, event.wall_ms,
        parameters=params,
    )


def build_steps(scenario: Scenario, events: Sequence[Event], exc: BaseException | None) -> list[StepNode]:
    """The report's step tree: set-up, each scenario step, and the expectations."""
    starts = [e for e in events if e.kind == "step.start"]
    end = next((e.wall_ms for e in events if e.kind == "run.end"), events[-1].wall_ms if events else 0.0)
    nodes: list[StepNode] = []

    first = starts[0].wall_ms if starts else end
    installed = [fault_step(e) for e in events if e.kind == "fault.installed" and e.wall_ms <= first]
    if installed:
        nodes.append(StepNode("install faults", installed[0].start_ms, first, children=installed))

    for n, start in enumerate(starts):
        stop = starts[n + 1].wall_ms if n + 1 < len(starts) else end
        node = StepNode(_step_title(start), start.wall_ms, stop)
        last = n + 1 == len(starts)
        for event in events:
            inside = start.seq < event.seq and (last or event.seq < starts[n + 1].seq)
            if not inside:
                continue
            if event.kind in ("fault.fired", "fault.healed") or (event.kind == "fault.installed" and n > 0):
                node.children.append(fault_step(event))
            elif event.kind == "artifact.screenshot":
                node.screenshots.append((str(event.data.get("name")), Path(str(event.data.get("path")))))
            elif event.kind == "step.control_disabled":
                node.children.append(StepNode(f"control disabled: {event.data.get('control')}", event.wall_ms,
                                              event.wall_ms))
        nodes.append(node)

    ran = {int(e.data.get("index", -1)) for e in starts}
    for index, step in enumerate(scenario.steps):
        if index not in ran:
            nodes.append(StepNode(describe(st.step_name(step), _args(step)), end, end, status=SKIPPED,
                                  message="never reached: the run stopped before this step"))

    finished = any(e.kind == "run.end" for e in events)
    expectations = expectation_steps(scenario, exc if finished else None, end)
    if not finished:
        for node in expectations:  # never evaluated: saying "passed" would be a lie
            node.status, node.message = SKIPPED, "not evaluated: the run stopped before the end"
    if expectations:
        nodes.append(StepNode("expectations", end, end, children=expectations))
        if any(c.status == FAILED for c in expectations):
            nodes[-1].status = FAILED
        elif not finished:
            nodes[-1].status = SKIPPED
    if exc is not None and not finished:
        _mark_aborted(nodes, exc)
    return nodes


def _step_title(start: Event) -> str:
    name = str(start.data.get("step"))
    if name == "quiet":
        return "settle: wait until nothing is in flight, then stay quiet"
    return describe(name, start.data.get("args"))


def _args(step: Any) -> Any:
    dumped = step.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return next(iter(dumped.values()), None) if isinstance(dumped, dict) else dumped


def expectation_steps(scenario: Scenario, exc: BaseException | None, at: float) -> list[StepNode]:
    """One sub-step per ``expect`` entry the scenario wrote, failed where an expectation failed."""
    failures = list(getattr(exc, "failures", []) or [])
    expect = scenario.expect
    nodes: list[StepNode] = []
    claimed: set[int] = set()
    for key in sorted(expect.model_fields_set, key=lambda k: list(type(expect).model_fields).index(k)):
        value = getattr(expect, key)
        dumped = value.model_dump(mode="json", by_alias=True, exclude_unset=True) if hasattr(value, "model_dump") \
            else _dump(value)
        node = StepNode(f"expect.{key}: {_compact(dumped)}", at, at)
        mine = [i for i, f in enumerate(failures) if f.expectation.startswith(f"expect.{key}")]
        if mine:
            node.status = FAILED
            node.message = "\n".join(failures[i].render() for i in mine)
            claimed.update(mine)
        nodes.append(node)
    for i, failure in enumerate(failures):
        if i not in claimed:
            nodes.append(StepNode(failure.expectation, at, at, status=FAILED, message=failure.render()))
    return nodes


def _dump(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value


def _mark_aborted(nodes: list[StepNode], exc: BaseException) -> None:
    """The run stopped inside the last step that started: that step carries the failure."""
    started = [n for n in nodes if n.status != SKIPPED and n.name != "expectations"]
    if not started:
        return
    verdict = classify(exc)
    target = started[-1]
    target.status = FAILED if verdict == Verdict.REGRESSION else BROKEN
    failures = getattr(exc, "failures", None)
    target.message = "\n".join(f.render() for f in failures) if failures else f"{verdict}: {exc}"
