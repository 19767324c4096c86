"""Load a scenario file: YAML with line marks → validation → :class:`Scenario`.

Every problem is collected and rewritten in domain words with its line, the
valid choices and a "did you mean"; nothing here raises a raw traceback.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from harness.scenario import base, expect, faults, steps
from harness.scenario.errors import Problem, ScenarioError
from harness.scenario.model import Scenario
from harness.scenario.yaml_lines import LineMap, load_with_lines, render_path


def load_scenario(path: Path | str) -> Scenario:
    """Read and validate one scenario file, or raise :class:`ScenarioError`."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ScenarioError(file, [Problem("", None, f"cannot read file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(file, [Problem("", None, "file is not UTF-8 text (binary?)")]) from None
    return parse_scenario(text, file)


def parse_scenario(text: str, file: Path | str = "<scenario>") -> Scenario:
    data, lines, problems = load_with_lines(text)
    if data is None:
        raise ScenarioError(file, problems)
    if not isinstance(data, dict):
        problems.append(
            Problem(
                "",
                lines.line_for(()),
                f"a scenario is a mapping of fields, not a {type(data).__name__}",
                "start with `id: my-scenario` and `title: ...`",
            )
        )
        raise ScenarioError(file, problems)
    scenario: Scenario | None = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems.extend(rewrite_errors(exc, data, lines))
    problems.extend(_cross_checks(data, lines))
    if problems:
        raise ScenarioError(file, sorted(problems, key=lambda p: (p.line or 0, p.path)))
    assert scenario is not None
    return scenario


def _cross_checks(data: dict[str, Any], lines: LineMap) -> list[Problem]:
    """Checks across fields, on the raw data so they run even beside other problems."""
    problems: list[Problem] = []
    raw_faults = data.get("faults") if isinstance(data.get("faults"), list) else []
    armed: dict[str, bool] = {}
    for i, fault in enumerate(raw_faults or []):
        if not isinstance(fault, dict) or not isinstance(fault.get("id"), str):
            continue
        if fault["id"] in armed:
            problems.append(
                Problem(
                    f"faults[{i}].id",
                    lines.line_for(("faults", i, "id")),
                    f"duplicate fault id '{fault['id']}'",
                    "give each fault its own id",
                )
            )
        armed[fault["id"]] = fault.get("armed", True) is not False
    ids = list(armed)
    raw_steps = data.get("steps") if isinstance(data.get("steps"), list) else []
    for i, step in enumerate(raw_steps or []):
        if not isinstance(step, dict) or len(step) != 1:
            continue
        ((name, target),) = step.items()
        if name not in ("heal", "inject") or not isinstance(target, str):
            continue
        where = (f"steps[{i}].{name}", lines.line_for(("steps", i, name)))
        if target not in armed:
            problems.append(Problem(*where, f"no fault with id '{target}'", _choices("fault ids", target, ids)))
        elif name == "inject" and armed[target]:
            problems.append(
                Problem(
                    *where,
                    f"fault '{target}' is already armed from the start",
                    "add `armed: false` to the fault so this step installs it",
                )
            )
    problems.extend(_window_checks(raw_faults or [], raw_steps or [], lines))
    return problems


def _window_checks(raw_faults: list[Any], raw_steps: list[Any], lines: LineMap) -> list[Problem]:
    """A fault's ``from``/``until`` must name one step, ``from`` before ``until``."""
    problems: list[Problem] = []
    names = [_raw_step_name(step) for step in raw_steps]
    listing = f"steps: {', '.join(f'{j} {n}' for j, n in enumerate(names))}"
    for i, fault in enumerate(raw_faults):
        if not isinstance(fault, dict):
            continue
        bounds: dict[str, int] = {}
        for key in ("from", "until"):
            ref = fault.get(key)
            if not isinstance(ref, int | str) or isinstance(ref, bool):
                continue
            found = faults.resolve_step(ref, names)
            if isinstance(found, str):
                message = found + _did_you_mean(str(ref), names)
                problems.append(Problem(f"faults[{i}].{key}", lines.line_for(("faults", i, key)), message, listing))
            else:
                bounds[key] = found
        if "from" in bounds and "until" in bounds and bounds["until"] <= bounds["from"]:
            problems.append(
                Problem(
                    f"faults[{i}].until",
                    lines.line_for(("faults", i, "until")),
                    f"the window ends (step {bounds['until']}) before it starts (step {bounds['from']})",
                    "`until` names a later step than `from`",
                )
            )
    for i, step in enumerate(raw_steps):
        fault = step.get("add_fault") if isinstance(step, dict) and len(step) == 1 else None
        if not isinstance(fault, dict):
            continue
        if "from" in fault:
            line = lines.line_for(("steps", i, "add_fault", "from"))
            problems.append(
                Problem(f"steps[{i}].add_fault.from", line, "a fault added by a step is installed at that step",
                        "remove `from`")
            )
        ref = fault.get("until")
        if isinstance(ref, int | str) and not isinstance(ref, bool):
            found = faults.resolve_step(ref, names)
            if isinstance(found, str) or found <= i:
                line = lines.line_for(("steps", i, "add_fault", "until"))
                message = found if isinstance(found, str) else f"step {found} comes before this one"
                problems.append(Problem(f"steps[{i}].add_fault.until", line, message, "`until` names a later step"))
    return problems


def _raw_step_name(step: Any) -> str:
    if isinstance(step, str):
        return step
    if isinstance(step, dict) and len(step) == 1:
        return str(next(iter(step)))
    return ""


def rewrite_errors(
    exc: ValidationError, data: Any, lines: LineMap, root: type[BaseModel] = Scenario
) -> list[Problem]:
    """pydantic's errors in domain words, with lines (``root``: the model of the whole file)."""
    problems: list[Problem] = []
    for err in exc.errors():
        kind = err["type"]
        loc = _data_path(data, err["loc"], last_is_key=kind in ("extra_forbidden", "missing"))
        path = render_path(loc)
        line = lines.line_for(loc)
        value = err.get("input")
        ctx = err.get("ctx") or {}
        parent_model = _model_at(loc[:-1], data, root)
        if kind == "extra_forbidden":
            field = str(loc[-1])
            valid = _fields(parent_model) if parent_model else []
            problems.append(
                Problem(
                    path,
                    line,
                    f"unknown field '{field}'" + _did_you_mean(field, valid),
                    f"valid fields here: {', '.join(valid)}" if valid else "",
                )
            )
        elif kind == "missing":
            problems.append(Problem(path, line, f"missing required field '{loc[-1]}'"))
        elif kind == "literal_error":
            expected = [s.strip().strip("'") for s in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")]
            expected = [e for e in expected if e]
            what = "a status" if set(expected) == set(base.STATUSES) else "a valid value"
            problems.append(
                Problem(
                    path,
                    line,
                    f"'{value}' is not {what}" + _did_you_mean(str(value), expected),
                    f"valid values: {', '.join(expected)}",
                )
            )
        elif kind == "union_tag_invalid" or kind == "union_tag_not_found":
            problems.append(_bad_tag(path, line, value, ctx))
        elif kind == "step_kind":
            name = next(iter(value)) if isinstance(value, dict) and value else value
            hint = f"valid steps: {', '.join(steps.STEP_NAMES)}"
            if isinstance(value, dict) and len(value) != 1:
                problems.append(
                    Problem(
                        path, line, "a step is one name with its arguments, e.g. `- wait_for: {status: error}`", hint
                    )
                )
            else:
                problems.append(
                    Problem(
                        path, line, f"unknown step '{name}'" + _did_you_mean(str(name), list(steps.STEP_NAMES)), hint
                    )
                )
        elif kind == "fault_kind":
            problems.append(
                Problem(
                    path,
                    line,
                    "a fault needs an 'http' or a 'tcp' section",
                    "e.g. `http: {path: /api/dynamic-ai/chat}` with `respond: {status: 503}`",
                )
            )
        else:
            problems.append(Problem(path, line, _plain(err["msg"], value)))
    return _drop_missing_explained_by_typos(problems)


def _drop_missing_explained_by_typos(problems: list[Problem]) -> list[Problem]:
    """A misspelt required field yields 'unknown' and 'missing'; keep only the first."""
    suggested = {
        (p.path.rsplit(".", 1)[0], p.message.rsplit("'", 2)[-2])
        for p in problems
        if p.message.startswith("unknown field") and "did you mean" in p.message
    }
    return [
        p
        for p in problems
        if not (
            p.message.startswith("missing required field")
            and (p.path.rsplit(".", 1)[0], p.path.rsplit(".", 1)[-1]) in suggested
        )
    ]


def _bad_tag(path: str, line: int | None, value: Any, ctx: dict[str, Any]) -> Problem:
    field = str(ctx.get("discriminator", "")).strip("'")
    expected = [s.strip().strip("'") for s in str(ctx.get("expected_tags", "")).split(",") if s.strip()]
    if not expected and field:
        expected = _literal_values(field)
    if "tag" not in ctx:  # the field that picks the kind is missing altogether
        return Problem(
            f"{path}.{field}" if field else path,
            line,
            f"missing required field '{field}'",
            f"valid values: {', '.join(expected)}" if expected else "",
        )
    tag = str(ctx.get("tag", value))
    return Problem(
        f"{path}.{field}" if field else path,
        line,
        f"'{tag}' is not a valid {field or 'kind'}" + _did_you_mean(tag, expected),
        f"valid values: {', '.join(expected)}",
    )


def _literal_values(field: str) -> list[str]:
    """Every value a discriminating field takes across the fault models (e.g. all toxics)."""
    values: list[str] = []
    for obj in vars(faults).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel) and field in obj.model_fields:
            for arg in getattr(obj.model_fields[field].annotation, "__args__", ()):
                if isinstance(arg, str) and arg not in values:
                    values.append(arg)
    return values


def _plain(msg: str, value: Any) -> str:
    if msg.startswith("Value error, "):
        return msg.removeprefix("Value error, ")
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{msg[0].lower()}{msg[1:]} (got {shown})"


def _data_path(data: Any, loc: tuple[int | str, ...], last_is_key: bool) -> tuple[str | int, ...]:
    """Drop union tags from a pydantic location, keeping only real data keys."""
    out: list[str | int] = []
    cursor = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(cursor, list) and isinstance(part, int) and part < len(cursor):
            out.append(part)
            cursor = cursor[part]
        elif isinstance(cursor, dict) and str(part) in cursor:
            out.append(str(part))
            cursor = cursor[str(part)]
        elif last and last_is_key and isinstance(cursor, dict):
            out.append(str(part))  # a missing or unknown key
        # else: a union tag or alias pydantic inserted; not part of the file
    return tuple(out)


def _model_at(path: tuple[str | int, ...], data: Any, root: type[BaseModel] = Scenario) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` (for field lists)."""
    current: Any = root
    cursor = data
    for part in path:
        if isinstance(cursor, dict):
            cursor = cursor.get(str(part))
        elif isinstance(cursor, list) and isinstance(part, int) and part < len(cursor):
            cursor = cursor[part]
        else:
            cursor = None
        current = _child_model(current, part, cursor)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _child_model(parent: Any, part: str | int, value: Any) -> Any:
    if parent == "faults" and isinstance(part, str):  # the add_fault step's own fault
        return _child_model(faults.TcpFault if part == "tcp" else faults.HttpFault, part, value)
    if parent == "faults":
        return faults.HttpFault if isinstance(value, dict) and "http" in value else faults.TcpFault
    if parent == "steps":
        key = next(iter(value)) if isinstance(value, dict) and len(value) == 1 else None
        return steps.STEP_TYPES.get(str(key))
    if parent is steps.AddFault and part == "add_fault":
        return "faults"
    if isinstance(parent, tuple) and parent[0] == "dict-of":
        return parent[1]
    if parent is expect.ToastsExpect and isinstance(part, int):  # the list shorthand
        return expect.ToastExpect
    if isinstance(part, int):
        return parent
    if not (isinstance(parent, type) and issubclass(parent, BaseModel)):
        return None
    if parent is Scenario and part in ("faults", "steps"):
        return part
    if parent is faults.TcpFault and part == "tcp":
        toxic = value.get("toxic") if isinstance(value, dict) else None
        return faults.TOXIC_MODELS.get(str(toxic))
    field = parent.model_fields.get(str(part))
    if field is None:
        return None
    annotation = field.annotation
    for candidate in getattr(annotation, "__args__", (annotation,)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return ("dict-of", candidate) if getattr(annotation, "__origin__", None) is dict else candidate
    return None


def _fields(cls: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in cls.model_fields.items()]


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _choices(what: str, word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    text = f"known {what}: {', '.join(choices) or '(none)'}"
    return (f"did you mean '{close[0]}'? " if close else "") + text
