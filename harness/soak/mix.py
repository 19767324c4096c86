"""The fault mix of a soak run: which requests fail how often, and the conversation each session has.

A mix is a YAML file checked like a scenario (every problem with its line,
did-you-mean, exit 2). HTTP faults are drawn per session and per request from
the run's seed, so a session meets the same faults whichever worker runs it;
``lasts_ms`` turns a draw into a short outage of that session's matching
requests (how a real blip looks to a retrying client). TCP toxics use the
scenario language's own ``tcp`` faults and stay on for the whole run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from harness.scenario.base import Strict
from harness.scenario.errors import Problem, ScenarioError
from harness.scenario.faults import HttpMatch, TcpFault
from harness.scenario.yaml_lines import load_with_lines

DEFAULT_MIX = Path(__file__).resolve().parents[2] / "soak" / "default.yaml"


class Respond(Strict):
    """Answer in the proxy's place (the server never sees the request)."""

    status: int = Field(ge=100, le=599)
    headers: dict[str, str] = Field(default_factory=dict, description="e.g. {Retry-After: '4'}")
    body: str = Field(default='{"error": "injected by chaos-harness soak"}')


class MixFault(Strict):
    """One HTTP fault of the mix; exactly one effect: respond, delay_ms, hang_ms or reset."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="names the fault in the figures")
    http: HttpMatch = Field(description="which requests it may hit")
    probability: float = Field(gt=0.0, le=1.0, description="chance per matching request (per session, seeded)")
    lasts_ms: int = Field(default=0, ge=0, le=600_000,
                          description="once drawn, every matching request of that session fails this long")
    max_per_session: int | None = Field(default=None, ge=1,
                                        description="at most this many draws fire per session (a blip a visit)")
    respond: Respond | None = None
    delay_ms: int | None = Field(default=None, ge=1, le=120_000, description="hold the request, then let it through")
    hang_ms: int | None = Field(default=None, ge=1, le=600_000,
                                description="hold the request this long (or until the page gives up), then reset")
    reset: bool = Field(default=False, description="close the connection with no response")

    @model_validator(mode="after")
    def _one_effect(self) -> MixFault:
        given = [name for name, on in (("respond", self.respond is not None), ("delay_ms", self.delay_ms is not None),
                                       ("hang_ms", self.hang_ms is not None), ("reset", self.reset)) if on]
        if len(given) != 1:
            raise ValueError(f"give exactly one effect (respond, delay_ms, hang_ms or reset), not {given or 'none'}")
        return self

    @property
    def effect(self) -> str:
        if self.respond is not None:
            return f"http:{self.respond.status}"
        return "delay" if self.delay_ms is not None else "hang" if self.hang_ms is not None else "reset"


class Conversation(Strict):
    """What one session does: mount, some sends, a reload, more sends."""

    sends: int = Field(default=3, ge=0, le=50)
    reload: bool = True
    sends_after_reload: int = Field(default=1, ge=0, le=50)
    think_ms: tuple[int, int] = Field(default=(200, 800), description="[min, max] pause between a person's actions")
    settle_timeout_ms: int = Field(default=45_000, ge=1_000, le=300_000,
                                   description="real time one send or sync may take before the session gives up")
    questions: list[str] = Field(
        default_factory=lambda: ["hello", "what are your fees?", "how do I deposit?", "how long do withdrawals take?"],
        min_length=1,
    )


class Gate(Strict):
    """When the run fails: an error rate above its baseline by more than the tolerance, or above the bound."""

    absolute: float = Field(default=0.01, ge=0.0, le=1.0, description="the plan's exit bar: 1%")
    tolerance: float = Field(default=0.005, ge=0.0, le=1.0, description="allowed rise over the committed baseline")
    baseline: str | None = Field(default=None, description="baseline file (default: soak/baseline.json)")


class Mix(Strict):
    """A soak run's whole description."""

    name: str
    description: str = ""
    seed: int = 0
    sessions: int = Field(default=60, ge=1, le=100_000, description="sessions in the run (unless a duration is given)")
    duration_s: float | None = Field(default=None, gt=0, description="run for this long instead of a session count")
    concurrency: int = Field(default=4, ge=1, le=64, description="browser contexts at once in each worker")
    conversation: Conversation = Field(default_factory=Conversation)
    faults: list[MixFault] = Field(default_factory=list)
    tcp: list[TcpFault] = Field(default_factory=list, description="Toxiproxy toxics on for the whole run")
    gate: Gate = Field(default_factory=Gate)


def parse_mix(text: str, file: Path | str = "<mix>") -> Mix:
    from harness.scenario.loader import rewrite_errors

    data, lines, problems = load_with_lines(text)
    if data is None:
        raise ScenarioError(file, problems, "fault mix")
    if not isinstance(data, dict):
        raise ScenarioError(file, [Problem("", lines.line_for(()), f"a fault mix is a mapping, not a "
                                           f"{type(data).__name__}", "start with `name: my-mix`")], "fault mix")
    mix: Mix | None = None
    try:
        mix = Mix.model_validate(data)
    except ValidationError as exc:
        problems.extend(rewrite_errors(exc, data, lines, root=Mix))
    problems.extend(_cross_checks(data, lines))
    if problems:
        raise ScenarioError(file, sorted(problems, key=lambda p: (p.line or 0, p.path)), "fault mix")
    assert mix is not None
    return mix


def _cross_checks(data: dict[str, Any], lines: Any) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for group in ("faults", "tcp"):
        entries = data.get(group) if isinstance(data.get(group), list) else []
        for i, entry in enumerate(entries or []):
            if not isinstance(entry, dict):
                continue
            fid = entry.get("id")
            if isinstance(fid, str):
                if fid in seen:
                    problems.append(Problem(f"{group}[{i}].id", lines.line_for((group, i, "id")),
                                            f"duplicate fault id '{fid}'", "give each fault its own id"))
                seen.add(fid)
            for window in ("from", "until"):
                if group == "tcp" and window in entry:
                    problems.append(Problem(f"tcp[{i}].{window}", lines.line_for((group, i, window)),
                                            "a soak's toxics stay on for the whole run", f"remove '{window}'"))
    return problems


def load_mix(path: Path | str) -> Mix:
    """Read and check a mix file, or raise :class:`ScenarioError` (exit 2)."""
    file = Path(path)
    try:
        text = file.read_bytes().decode("utf-8")
    except OSError as exc:
        problem = Problem("", None, f"cannot read file: {exc.strerror}", "give a mix YAML, e.g. soak/default.yaml")
        raise ScenarioError(file, [problem], "fault mix") from None
    except UnicodeDecodeError:
        raise ScenarioError(file, [Problem("", None, "file is not UTF-8 text (binary?)")], "fault mix") from None
    return parse_mix(text, file)
