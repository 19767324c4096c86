"""Steps: what the scenario does to the page and to its faults.

Each step is one name with its arguments (``- wait_for: {status: error}``);
steps without arguments may be written bare (``- reload``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from harness.scenario.base import Status, Strict
from harness.scenario.expect import Expect
from harness.scenario.faults import Fault

DEFAULT_WAIT_MS = 30_000


def scalar_shorthand(field: str, key: str, kind: type) -> Any:
    """A validator that lets ``field: value`` stand for ``field: {key: value}``."""

    def expand(cls: type, value: Any) -> Any:
        return {key: value} if isinstance(value, kind) and not isinstance(value, bool) else value

    return field_validator(field, mode="before")(classmethod(expand))


class PageArgs(Strict):
    path: str = Field(default="/", pattern=r"^/")


class LoadPage(Strict):
    """Navigate to the app without opening the widget."""

    load_page: PageArgs = Field(default_factory=PageArgs)


class OpenWidget(Strict):
    """Load the page if needed, then open the widget with its launcher."""

    open_widget: PageArgs = Field(default_factory=PageArgs)


class TypeArgs(Strict):
    text: str


class TypeText(Strict):
    """Type into the question input, without sending."""

    type: TypeArgs


class SendArgs(Strict):
    text: str = Field(min_length=1)
    repeat: int = Field(
        default=1, ge=1, le=100,
        description="send N questions ('text 1' … 'text N'), each after the previous one settled",
    )


class Send(Strict):
    """Type a question and press Send."""

    send: SendArgs

    _text_shorthand = scalar_shorthand("send", "text", str)


class Click(Strict):
    """Click a control of the target profile by its name (``retry_connection``, ``reset``, ...)."""

    click: str


class Reload(Strict):
    reload: None = None


class Offline(Strict):
    """The browser loses the network (``navigator.onLine`` false, requests fail)."""

    offline: None = None


class Online(Strict):
    online: None = None


class RequestMatch(Strict):
    method: str | None = None
    path: str = Field(description="path without query; a trailing * matches a prefix")
    count: int = Field(default=1, ge=0)


class WaitForArgs(Strict):
    """Advance (virtual) time until one condition holds."""

    status: Status | None = None
    toast: str | None = Field(default=None, description="a toast with this title has appeared")
    text: str | None = Field(default=None, description="this text is visible in the conversation")
    request: RequestMatch | None = Field(default=None, description="the page has made this many such requests")
    fallback: bool | None = Field(default=None, description="the fallback message is shown (true) or gone (false)")
    timeout_ms: int = Field(default=DEFAULT_WAIT_MS, ge=1, description="virtual milliseconds")

    @model_validator(mode="after")
    def _exactly_one(self) -> WaitForArgs:
        given = [n for n in ("status", "toast", "text", "request", "fallback") if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError("wait_for takes exactly one of: status, toast, text, request, fallback")
        return self


class WaitFor(Strict):
    wait_for: WaitForArgs


class AdvanceArgs(Strict):
    ms: int = Field(ge=1, le=3_600_000, description="virtual milliseconds to let pass")


class Advance(Strict):
    """Let virtual time pass: timers (backoff, timeouts, countdowns) fire as they would."""

    advance: AdvanceArgs

    _ms_shorthand = scalar_shorthand("advance", "ms", int)


class Heal(Strict):
    heal: str = Field(description="id of the fault to remove")


class Inject(Strict):
    inject: str = Field(description="id of an `armed: false` fault to install now")


class AddFault(Strict):
    """Declare and install a new fault mid-run."""

    add_fault: Fault


class ScreenshotArgs(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class Screenshot(Strict):
    screenshot: ScreenshotArgs

    _name_shorthand = scalar_shorthand("screenshot", "name", str)


class Check(Strict):
    """Evaluate expectations now, mid-run (same vocabulary as ``expect``)."""

    check: Expect


STEP_TYPES: dict[str, type[Strict]] = {
    "load_page": LoadPage,
    "open_widget": OpenWidget,
    "type": TypeText,
    "send": Send,
    "click": Click,
    "reload": Reload,
    "offline": Offline,
    "online": Online,
    "wait_for": WaitFor,
    "advance": Advance,
    "heal": Heal,
    "inject": Inject,
    "add_fault": AddFault,
    "screenshot": Screenshot,
    "check": Check,
}
STEP_NAMES: tuple[str, ...] = tuple(STEP_TYPES)
BARE_STEPS = frozenset({"load_page", "open_widget", "reload", "offline", "online"})


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return key if key in STEP_TYPES else None
    if isinstance(value, Strict):
        return next((k for k, t in STEP_TYPES.items() if isinstance(value, t)), None)
    return None


Step = Annotated[
    Annotated[LoadPage, Tag("load_page")]
    | Annotated[OpenWidget, Tag("open_widget")]
    | Annotated[TypeText, Tag("type")]
    | Annotated[Send, Tag("send")]
    | Annotated[Click, Tag("click")]
    | Annotated[Reload, Tag("reload")]
    | Annotated[Offline, Tag("offline")]
    | Annotated[Online, Tag("online")]
    | Annotated[WaitFor, Tag("wait_for")]
    | Annotated[Advance, Tag("advance")]
    | Annotated[Heal, Tag("heal")]
    | Annotated[Inject, Tag("inject")]
    | Annotated[AddFault, Tag("add_fault")]
    | Annotated[Screenshot, Tag("screenshot")]
    | Annotated[Check, Tag("check")],
    Discriminator(_step_kind, custom_error_type="step_kind", custom_error_message="unknown step"),
]


def step_name(step: Strict) -> str:
    return _step_kind(step) or type(step).__name__


def normalize_steps(value: Any) -> Any:
    """Bare names become ``{name: {}}`` (or ``{name: None}`` for argument-less steps)."""
    if not isinstance(value, list):
        return value
    out: list[Any] = []
    for item in value:
        if isinstance(item, str):
            out.append({item: None} if item in ("reload", "offline", "online") else {item: {}})
        elif isinstance(item, dict) and len(item) == 1:
            ((name, args),) = item.items()
            out.append({name: None} if name in ("reload", "offline", "online") and args in ({}, None) else item)
        else:
            out.append(item)
    return out
