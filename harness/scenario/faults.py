"""Fault specs: HTTP faults named by their effect, TCP faults by Toxiproxy's toxic.

An HTTP fault is a match (``http:``), exactly one effect (``respond``,
``rate_limit``, ``delay``, ``hang``, ``reset``, ``malformed_body``,
``truncate_stream``, ``patch_body``) and a schedule (``times``, ``after``,
``pattern``, ``probability``, a step window). A TCP fault is one Toxiproxy toxic
with Toxiproxy's own names (units moved into field names) and a step window
only: Toxiproxy's ``toxicity`` is drawn per connection and browsers keep
connections alive, so per-request schedules belong to the HTTP engine, and a
TCP fault that asks for one is rejected with the reason.

Rules that span fields are checked here with precise locations (see
:func:`_located`), so the loader names the exact field and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from harness.scenario.base import Strict

ProxyName = Literal["edge", "upstream"]
Stream = Literal["downstream", "upstream"]
Phase = Literal["request", "response"]

# Effect key in the YAML → the kind it reports (``http:<kind>``).
HTTP_EFFECTS: dict[str, str] = {
    "respond": "status",
    "rate_limit": "rate_limit",
    "delay": "delay",
    "hang": "hang",
    "reset": "reset",
    "malformed_body": "malformed_body",
    "truncate_stream": "truncate_stream",
    "patch_body": "patch_body",
}
BARE_EFFECTS = frozenset({"reset", "hang"})
# Schedule fields that count HTTP requests: meaningless for a TCP toxic.
REQUEST_SCHEDULE_FIELDS: tuple[str, ...] = ("times", "after", "pattern", "repeat", "probability")
TCP_SCHEDULE_HINT = (
    "a tcp fault acts on whole kept-alive connections, so its schedule is a window (armed/inject, from, until, "
    "heal); use an http fault to fail the first N requests, or tcp.toxicity for a chance per connection"
)

_TOKEN = re.compile(r"^[A-Za-z]+$")
_POINTER = re.compile(r"^(/([^~/]|~[01])*)+$")


# --- located errors -------------------------------------------------------------


def _problem(loc: tuple[str | int, ...], kind: str, message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=loc, input=value)


def _as_detail(err: Any) -> InitErrorDetails:
    """Turn a reported error back into one that can be raised again (custom types kept)."""
    detail = InitErrorDetails(type=err["type"], loc=err["loc"], input=err["input"])
    if err.get("ctx"):
        detail["ctx"] = err["ctx"]
    try:
        ValidationError.from_exception_data("probe", [detail])
    except (KeyError, TypeError, ValueError):
        detail = InitErrorDetails(type=PydanticCustomError(err["type"], err["msg"]), loc=err["loc"], input=err["input"])
    return detail


def _located(
    cls: type[Strict],
    data: Any,
    handler: Callable[[Any], Any],
    checks: Callable[[dict[str, Any]], list[InitErrorDetails]],
    strip: tuple[str, ...] = (),
) -> Any:
    """Validate ``data``; add ``checks``' problems at their own field locations.

    Pydantic places a model-level error on the model, not on the field at fault;
    raising a ``ValidationError`` with explicit locations from a wrap validator
    keeps the field path (and so the YAML line) in the loader's message. Keys in
    ``strip`` are reported by ``checks`` and hidden from the normal validation,
    so they are not also called "unknown".
    """
    if not isinstance(data, dict):
        return handler(data)
    ours = checks(data)
    if not ours:
        return handler(data)
    try:
        handler({k: v for k, v in data.items() if k not in strip})
    except ValidationError as exc:
        ours.extend(_as_detail(e) for e in exc.errors())
    raise ValidationError.from_exception_data(cls.__name__, ours)


def _exclusive(data: dict[str, Any], keys: tuple[str, ...], what: str) -> list[InitErrorDetails]:
    present = [k for k in keys if data.get(k) is not None]
    return [
        _problem((k,), "exclusive", f"'{k}' cannot be combined with '{present[0]}': {what}", data[k])
        for k in present[1:]
    ]


# --- matching -------------------------------------------------------------------


class HttpMatch(Strict):
    """Which requests a rule applies to; every field given must match."""

    method: str | None = Field(default=None, description="GET, POST, ... (any case)")
    path: str | None = Field(default=None, description="exact path without the query, or a glob with * ? [")
    path_regex: str | None = Field(default=None, description="a regular expression searched in the path")
    query: dict[str, str] = Field(default_factory=dict, description="parameter → glob its value must match")
    headers: dict[str, str] = Field(default_factory=dict, description="header (any case) → glob of its value")
    host: str | None = Field(default=None, description="host (no port) as the proxy sees it; a glob")

    @field_validator("method")
    @classmethod
    def _method_token(cls, value: str | None) -> str | None:
        if value is not None and not _TOKEN.match(value):
            raise PydanticCustomError("http_method", "'{value}' is not an HTTP method", {"value": value})
        return value.upper() if value else value

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("/", "*")):
            raise PydanticCustomError("http_path", "a path starts with '/' (or is a glob starting with '*')")
        return value

    @field_validator("path_regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                message = "not a valid regular expression: {error}"
                raise PydanticCustomError("regex", message, {"error": str(exc)}) from None
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _one_path(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        def checks(raw: dict[str, Any]) -> list[InitErrorDetails]:
            if raw.get("path") is None and raw.get("path_regex") is None:
                return [InitErrorDetails(type="missing", loc=("path",), input=raw)]
            return _exclusive(raw, ("path", "path_regex"), "give one way to match the path")

        return _located(cls, data, handler, checks)


# --- HTTP effects -----------------------------------------------------------------


class HttpRespond(Strict):
    """``respond``: answer in place of the server (kind ``status``)."""

    status: int = Field(ge=100, le=599)
    json_body: Any = Field(default=None, alias="json")
    text: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _one_body(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        return _located(cls, data, handler, lambda raw: _exclusive(raw, ("json", "text"), "a body is JSON or text"))


class RateLimit(Strict):
    """``rate_limit``: 429 with ``Retry-After`` as seconds or as an HTTP date."""

    retry_after_s: int = Field(ge=0, le=86_400)
    format: Literal["seconds", "http_date"] = Field(
        default="seconds", description="http_date: the moment retry_after_s from now, as an HTTP date"
    )
    json_body: Any = Field(default=None, alias="json", description="default: {ok: false, error, hint}")
    headers: dict[str, str] = Field(default_factory=dict)


class Delay(Strict):
    """``delay``: hold for ``ms`` (± ``jitter_ms``, seeded), then carry on."""

    ms: int = Field(ge=0, le=600_000)
    jitter_ms: int = Field(default=0, ge=0, le=600_000)
    at: Literal["request", "response", "chunks"] = Field(
        default="request",
        description="request: before the server sees it; response: after it answered; chunks: between stream chunks",
    )

    @model_validator(mode="before")
    @classmethod
    def _ms_shorthand(cls, value: Any) -> Any:
        return {"ms": value} if isinstance(value, int) and not isinstance(value, bool) else value


class Hang(Strict):
    """``hang``: no answer until healed, until ``max_ms``, or until the run ends."""

    at: Phase = Field(default="request", description="response: the server has processed it; the answer is held")
    max_ms: int | None = Field(default=None, ge=1, le=600_000)
    then: Literal["pass", "reset"] = Field(default="pass", description="what happens when max_ms runs out")

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, value: Any) -> Any:
        return {} if value is None else value

    @model_validator(mode="wrap")
    @classmethod
    def _then_needs_bound(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        def checks(raw: dict[str, Any]) -> list[InitErrorDetails]:
            if "then" in raw and raw.get("max_ms") is None:
                return [
                    _problem(
                        ("then",), "hang_then", "'then' says what happens at max_ms, and there is none", raw["then"]
                    )
                ]
            return []

        return _located(cls, data, handler, checks)


class Reset(Strict):
    """``reset``: close the connection without any response."""

    at: Phase = Field(default="request", description="request: the server never sees it; response: it has processed it")
    browser_retry: Literal["reset", "pass"] = Field(
        default="reset",
        description=(
            "Chromium silently resends a request once when a reused connection closes without a response; "
            "reset: that resend is the same occurrence and is reset too (the page sees one failure); "
            "pass: it goes through (the failure is invisible)"
        ),
    )

    @model_validator(mode="before")
    @classmethod
    def _bare(cls, value: Any) -> Any:
        return {} if value is None else value


class MalformedBody(Strict):
    """``malformed_body``: the server's answer, its body broken (each event's, for a stream)."""

    as_: Literal["invalid_json", "wrong_schema", "empty"] = Field(alias="as")
    json_body: Any = Field(
        default=None, alias="json", description="wrong_schema only: this document instead of {data: <original>}"
    )

    @model_validator(mode="before")
    @classmethod
    def _name_shorthand(cls, value: Any) -> Any:
        return {"as": value} if isinstance(value, str) else value

    @model_validator(mode="wrap")
    @classmethod
    def _json_for_schema(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        def checks(raw: dict[str, Any]) -> list[InitErrorDetails]:
            if raw.get("json") is not None and raw.get("as") != "wrong_schema":
                return [
                    _problem(
                        ("json",), "malformed_json", "'json' replaces the body only with as: wrong_schema", raw["json"]
                    )
                ]
            return []

        return _located(cls, data, handler, checks)


class TruncateStream(Strict):
    """``truncate_stream``: cut a response after N server-sent events or N bytes."""

    after_events: int | None = Field(default=None, ge=0)
    after_bytes: int | None = Field(default=None, ge=0)
    then: Literal["close", "end"] = Field(
        default="close", description="close: drop the connection (a network error); end: end the body cleanly"
    )

    @model_validator(mode="wrap")
    @classmethod
    def _one_limit(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        def checks(raw: dict[str, Any]) -> list[InitErrorDetails]:
            if raw.get("after_events") is None and raw.get("after_bytes") is None:
                return [InitErrorDetails(type="missing", loc=("after_events",), input=raw)]
            return _exclusive(raw, ("after_events", "after_bytes"), "cut after events or after bytes")

        return _located(cls, data, handler, checks)


def _pointer_problem(pointer: str) -> str | None:
    if pointer == "" or not _POINTER.match(pointer):
        return f"'{pointer}' is not a JSON Pointer (e.g. /assistantMessage or /messages/0/content)"
    return None


class PatchBody(Strict):
    """``patch_body``: set or remove JSON fields of the answer (of each event, for a stream)."""

    set_: dict[str, Any] = Field(default_factory=dict, alias="set", description="JSON Pointer → new value")
    remove: list[str] = Field(default_factory=list, description="JSON Pointers to delete")
    where: dict[str, Any] = Field(
        default_factory=dict, description="only documents whose top-level fields equal these (e.g. {type: done})"
    )

    @model_validator(mode="wrap")
    @classmethod
    def _pointers(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        def checks(raw: dict[str, Any]) -> list[InitErrorDetails]:
            found: list[InitErrorDetails] = []
            sets: dict[str, Any] = raw["set"] if isinstance(raw.get("set"), dict) else {}
            removes: list[Any] = raw["remove"] if isinstance(raw.get("remove"), list) else []
            for key in sets:
                bad = _pointer_problem(str(key))
                if bad:
                    found.append(_problem(("set", key), "json_pointer", bad, key))
            for i, pointer in enumerate(removes):
                bad = _pointer_problem(str(pointer))
                if bad:
                    found.append(_problem(("remove", i), "json_pointer", bad, pointer))
            if not sets and not removes and not found:
                found.append(_problem(("set",), "patch_empty", "a patch needs 'set' or 'remove'", raw))
            return found

        return _located(cls, data, handler, checks)


HttpEffect = HttpRespond | RateLimit | Delay | Hang | Reset | MalformedBody | TruncateStream | PatchBody


# --- schedule and window ----------------------------------------------------------

StepRef = Annotated[int, Field(ge=0)] | str


def _window_problems(raw: dict[str, Any]) -> list[InitErrorDetails]:
    if raw.get("armed") is False and raw.get("from") is not None:
        return [
            _problem(
                ("from",),
                "window",
                "'from' installs the fault at a step, and `armed: false` waits for an inject step; keep one of them",
                raw["from"],
            )
        ]
    return []


class _FaultBase(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    armed: bool = Field(default=True, description="false: installed later by an `inject` step")
    from_: StepRef | None = Field(
        default=None, alias="from", description="installed when this step starts (its index, or its unique name)"
    )
    until: StepRef | None = Field(default=None, description="healed when this step starts (index or unique name)")


class HttpFault(_FaultBase):
    """One HTTP rule: a match, exactly one effect, and a schedule."""

    http: HttpMatch
    respond: HttpRespond | None = None
    rate_limit: RateLimit | None = None
    delay: Delay | None = None
    hang: Hang | None = None
    reset: Reset | None = None
    malformed_body: MalformedBody | None = None
    truncate_stream: TruncateStream | None = None
    patch_body: PatchBody | None = None
    times: int | None = Field(default=None, ge=1, description="fire on at most N occurrences")
    after: int = Field(default=0, ge=0, description="let the first N matching requests through")
    pattern: list[Literal["fail", "pass"]] | None = Field(
        default=None, min_length=1, description="per occurrence after `after`: fail (the effect) or pass"
    )
    repeat: bool = Field(default=False, description="repeat the pattern; otherwise pass once it is used up")
    probability: float | None = Field(
        default=None, ge=0.0, le=1.0, description="chance per occurrence, drawn from the scenario seed and the fault id"
    )

    @model_validator(mode="wrap")
    @classmethod
    def _one_effect(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        def checks(raw: dict[str, Any]) -> list[InitErrorDetails]:
            found = [
                *_window_problems(raw),
                *_effect_problems(raw),
            ]
            if raw.get("repeat") is True and raw.get("pattern") is None:
                found.append(_problem(("repeat",), "schedule", "'repeat' repeats a 'pattern', and there is none", True))
            return found

        if isinstance(data, dict):  # a bare `reset:` or `hang:` means "with the defaults"
            data = {k: ({} if v is None and k in BARE_EFFECTS else v) for k, v in data.items()}
        return _located(cls, data, handler, checks)

    @property
    def effect_key(self) -> str:
        return next(key for key in HTTP_EFFECTS if getattr(self, key) is not None)

    @property
    def effect(self) -> HttpEffect:
        effect: HttpEffect = getattr(self, self.effect_key)
        return effect

    @property
    def kind(self) -> str:
        """``http:<kind>``, the label the report and the fault log use."""
        return f"http:{HTTP_EFFECTS[self.effect_key]}"


def _effect_problems(raw: dict[str, Any]) -> list[InitErrorDetails]:
    present = [key for key in HTTP_EFFECTS if key in raw]
    if not present:
        if set(raw) - set(HttpFault.model_fields) - {"from", "json"}:
            return []  # a misspelt effect: the unknown-field problem says which, with a suggestion
        choices = ", ".join(HTTP_EFFECTS)
        return [_problem((), "http_effect", f"an http fault needs one effect: {choices}", list(raw))]
    return [
        _problem(
            (key,),
            "http_effect",
            f"an http fault has exactly one effect; this one already has '{present[0]}'",
            raw[key],
        )
        for key in present[1:]
    ]


# --- TCP toxics -------------------------------------------------------------------


class _Toxic(Strict):
    proxy: ProxyName
    stream: Stream = Field(default="downstream", description="downstream: server → client bytes")
    toxicity: float = Field(default=1.0, ge=0.0, le=1.0, description="chance per connection (Toxiproxy's own draw)")


class LatencyToxic(_Toxic):
    toxic: Literal["latency"]
    latency_ms: int = Field(ge=0)
    jitter_ms: int = Field(default=0, ge=0)


class BandwidthToxic(_Toxic):
    toxic: Literal["bandwidth"]
    rate_kbps: int = Field(ge=0, description="KB/s")


class SlowCloseToxic(_Toxic):
    toxic: Literal["slow_close"]
    delay_ms: int = Field(ge=0)


class TimeoutToxic(_Toxic):
    toxic: Literal["timeout"]
    timeout_ms: int = Field(default=0, ge=0, description="0 holds data forever")


class ResetPeerToxic(_Toxic):
    toxic: Literal["reset_peer"]
    timeout_ms: int = Field(default=0, ge=0)


class SlicerToxic(_Toxic):
    toxic: Literal["slicer"]
    average_size: int = Field(ge=1, description="bytes")
    size_variation: int = Field(default=0, ge=0, description="± bytes; Toxiproxy needs it below average_size")
    delay_us: int = Field(default=0, ge=0, description="microseconds between slices")

    @model_validator(mode="wrap")
    @classmethod
    def _variation_below_average(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        def checks(raw: dict[str, Any]) -> list[InitErrorDetails]:
            size, variation = raw.get("average_size"), raw.get("size_variation", 0)
            if isinstance(size, int) and isinstance(variation, int) and 1 <= size <= variation:
                return [
                    _problem(("size_variation",), "slicer", "size_variation must be less than average_size", variation)
                ]
            return []

        return _located(cls, data, handler, checks)


class LimitDataToxic(_Toxic):
    toxic: Literal["limit_data"]
    bytes: int = Field(ge=0, description="close the connection after this many bytes")


class DownToxic(Strict):
    """Not a Toxiproxy toxic: the proxy disabled, refusing connections."""

    proxy: ProxyName
    toxic: Literal["down"]


TcpSpec = (
    LatencyToxic
    | BandwidthToxic
    | SlowCloseToxic
    | TimeoutToxic
    | ResetPeerToxic
    | SlicerToxic
    | LimitDataToxic
    | DownToxic
)
TcpToxic = Annotated[TcpSpec, Field(discriminator="toxic")]
TOXIC_MODELS: dict[str, type[Strict]] = {
    "latency": LatencyToxic,
    "bandwidth": BandwidthToxic,
    "slow_close": SlowCloseToxic,
    "timeout": TimeoutToxic,
    "reset_peer": ResetPeerToxic,
    "slicer": SlicerToxic,
    "limit_data": LimitDataToxic,
    "down": DownToxic,
}


class TcpFault(_FaultBase):
    """One Toxiproxy toxic (or a disabled proxy) for a window of steps."""

    tcp: TcpToxic

    @model_validator(mode="wrap")
    @classmethod
    def _no_request_schedule(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        def checks(raw: dict[str, Any]) -> list[InitErrorDetails]:
            found = _window_problems(raw)
            for key in REQUEST_SCHEDULE_FIELDS:
                if key in raw:
                    found.append(
                        _problem((key,), "tcp_schedule", f"'{key}' counts HTTP requests; {TCP_SCHEDULE_HINT}", raw[key])
                    )
            return found

        return _located(cls, data, handler, checks, strip=REQUEST_SCHEDULE_FIELDS)

    @property
    def kind(self) -> str:
        """``tcp:<toxic>``, the label the report and the fault log use."""
        return f"tcp:{self.tcp.toxic}"


def _fault_kind(value: Any) -> str | None:
    # Tags differ from the data keys, so error locations never mistake one for the other.
    if isinstance(value, dict):
        if "http" in value:
            return "http_fault"
        if "tcp" in value:
            return "tcp_fault"
    if isinstance(value, HttpFault):
        return "http_fault"
    if isinstance(value, TcpFault):
        return "tcp_fault"
    return None


Fault = Annotated[
    Annotated[HttpFault, Tag("http_fault")] | Annotated[TcpFault, Tag("tcp_fault")],
    Discriminator(
        _fault_kind,
        custom_error_type="fault_kind",
        custom_error_message="a fault needs an 'http' or a 'tcp' section",
    ),
]


def resolve_step(ref: int | str, names: list[str]) -> int | str:
    """The index a window bound names, or why it names none (a message)."""
    if isinstance(ref, int):
        if ref < len(names):
            return ref
        return f"there is no step {ref} (steps are numbered 0 to {len(names) - 1})"
    hits = [i for i, name in enumerate(names) if name == ref]
    if len(hits) == 1:
        return hits[0]
    if hits:
        where = ", ".join(f"steps[{i}]" for i in hits)
        return f"'{ref}' is the name of {len(hits)} steps ({where}); give the index instead"
    return f"no step is named '{ref}'"
