"""A target profile says how to reach an app and how to read its widget.

Scenarios speak the profile's vocabulary (``click: retry_connection``), never CSS,
so one suite runs against the reference widget and against a team's own. The
CSS selectors here are for the in-page probes, which must work without
knowing the widget's framework.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from harness.infra.paths import PROJECT_ROOT
from harness.scenario.base import STATUSES, Strict
from harness.scenario.errors import Problem, ScenarioError
from harness.scenario.yaml_lines import load_with_lines, render_path

TARGETS_DIR = PROJECT_ROOT / "targets"
APP_KINDS = ("reference", "reverse", "forward")


class Locator(Strict):
    """An element found the way a user (or a screen reader) finds it."""

    role: str = "button"
    name: str


class StartReference(Strict):
    """Start the reference stack (app, engine, Toxiproxy) for this run."""

    kind: Literal["reference"] = "reference"


class ReverseProxy(Strict):
    """A running dev server: mitmproxy reverse-proxies to it (Toxiproxy optional in between)."""

    kind: Literal["reverse"] = "reverse"
    url: str = Field(pattern=r"^https?://")
    toxiproxy: bool = Field(default=True, description="put a Toxiproxy 'edge' proxy between mitmproxy and the app")


class ForwardProxy(Strict):
    """An HTTPS staging URL: the browser uses mitmproxy as a forward proxy and trusts its CA."""

    kind: Literal["forward"] = "forward"
    url: str = Field(pattern=r"^https?://")
    insecure_upstream: bool = Field(
        default=False, description="accept an invalid certificate from the app itself (self-signed staging)"
    )


class StatusRule(Strict):
    """Where the status is read: an attribute, or the badge text through a map."""

    selector: str
    attribute: str | None = None
    text_map: dict[str, str] | None = None

    @model_validator(mode="after")
    def _one_way(self) -> StatusRule:
        if (self.attribute is None) == (self.text_map is None):
            raise ValueError("give exactly one of 'attribute' or 'text_map'")
        if self.text_map:
            bad = sorted(set(self.text_map.values()) - set(STATUSES))
            if bad:
                raise ValueError(f"text_map values must be statuses ({', '.join(STATUSES)}), not {', '.join(bad)}")
        return self


class ToastRule(Strict):
    selector: str = Field(description="each toast element")
    title_attribute: str | None = None
    title_selector: str | None = None
    description_selector: str | None = None


class MessageRule(Strict):
    selector: str = Field(description="each message in the conversation list")
    role_attribute: str = "data-role"


class ApiRoutes(Strict):
    chat: str = "/api/dynamic-ai/chat"
    analytics: str | None = "/api/analytics"
    telemetry: str | None = "/api/telemetry"
    metrics: str | None = None


class TargetProfile(Strict):
    name: str
    description: str = ""
    app: StartReference | ReverseProxy | ForwardProxy = Field(default_factory=StartReference, discriminator="kind")
    path: str = "/"
    ready_selector: str | None = Field(
        default=None, description="an element present once the app has booted (e.g. its config is loaded)"
    )
    launcher: Locator | None = None
    input: Locator
    controls: dict[str, Locator]
    status: StatusRule
    toasts: ToastRule
    messages: MessageRule
    fallback_selector: str
    guidance_selector: str | None = None
    api: ApiRoutes = Field(default_factory=ApiRoutes)
    flag_param: str | None = Field(default=None, description="query parameter that sets feature flags, if any")

    def control(self, name: str) -> Locator:
        try:
            return self.controls[name]
        except KeyError:
            raise KeyError(f"the target '{self.name}' has no control '{name}'") from None


def load_profile(path: Path) -> TargetProfile:
    """Read and validate a profile, reporting problems like a scenario file."""
    data, lines, problems = load_with_lines(path.read_text(encoding="utf-8"))
    if data is not None and not problems:
        try:
            return TargetProfile.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(p for p in err["loc"] if p not in APP_KINDS)
                problems.append(Problem(render_path(loc), lines.line_for(loc), err["msg"]))
    raise ScenarioError(path, problems)


def resolve_target(name_or_path: str) -> TargetProfile:
    """``reference`` → targets/reference.yaml; a path is read as is."""
    candidate = Path(name_or_path)
    if candidate.suffix not in (".yaml", ".yml"):
        candidate = TARGETS_DIR / f"{name_or_path}.yaml"
    if not candidate.is_file():
        known = ", ".join(sorted(p.stem for p in TARGETS_DIR.glob("*.yaml")))
        raise ScenarioError(
            name_or_path,
            [
                Problem(
                    "target",
                    None,
                    f"no target profile '{name_or_path}'",
                    f"known targets: {known}; or give a path to a profile YAML",
                )
            ],
        )
    return load_profile(candidate)
