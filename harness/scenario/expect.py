"""Expectations: what the timeline must show.

Every field is optional; a scenario states only what its behaviour is about.
The same block serves ``expect`` (after the run) and the ``check`` step (mid-run).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from harness.scenario.base import Status, Strict


class StatusBound(Strict):
    """At most ``max_ms`` of virtual time from entering ``from`` to entering ``to``."""

    from_: Status = Field(alias="from")
    to: Status
    max_ms: int = Field(ge=0)


class StatusExpect(Strict):
    sequence: list[Status] | None = Field(
        default=None, description="the exact sequence of statuses, consecutive repeats collapsed"
    )
    subsequence: list[Status] | None = Field(default=None, description="these statuses, in this order, gaps allowed")
    never: list[Status] = Field(default_factory=list, description="statuses that must never appear")
    final: Status | None = None
    within: list[StatusBound] = Field(default_factory=list)
    distinct_badges: bool = Field(
        default=False, description="each status seen shows its own badge text (idle and connected differ)"
    )
    matches_analytics: bool = Field(
        default=False, description="every badge change has a chat_status_changed event and vice versa"
    )


class ToastExpect(Strict):
    title: str
    description: str | None = Field(default=None, description="a substring of the description")
    kind: Literal["status", "alert"] | None = None
    count: int | None = Field(default=None, ge=0, description="exactly this many times (default: at least once)")


class ToastsExpect(Strict):
    expected: list[ToastExpect] = Field(default_factory=list)
    in_order: bool = Field(default=False, description="the first appearances come in this order")
    only: bool = Field(default=False, description="no toast other than these appears")

    @model_validator(mode="before")
    @classmethod
    def _list_shorthand(cls, value: Any) -> Any:
        return {"expected": value} if isinstance(value, list) else value


class RetryCtaExpect(Strict):
    only_in_error: bool = Field(default=True, description="the 'Retry connection' control shows only in error")
    shown: bool | None = Field(default=None, description="it was shown at some point (true) or never (false)")


class FallbackExpect(Strict):
    rendered_at_most: int | None = Field(default=1, ge=0)
    shown: bool | None = Field(default=None, description="it was shown at some point (true) or never (false)")
    never_in_history: bool = Field(default=True, description="never inside the conversation's message list")
    cleared_on_reconnect: bool = Field(default=False, description="gone once the status is connected again")


class BackoffExpect(Strict):
    growing: bool = Field(default=True, description="each gap between attempts is longer than the one before")
    min_gap_ms: int | None = Field(default=None, ge=0)
    max_gap_ms: int | None = Field(default=None, ge=0)


class RequestExpect(Strict):
    count: int | None = Field(default=None, ge=0)
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    backoff: BackoffExpect | None = None


class AnalyticsEventExpect(Strict):
    min: int | None = Field(default=None, ge=0)
    count: int | None = Field(default=None, ge=0)
    fields: list[str] = Field(default_factory=list, description="fields every such event carries, non-empty")
    covers_every_transition: bool = False


class TelemetryExpect(Strict):
    min: int = Field(default=1, ge=0)
    fields: list[str] = Field(default_factory=lambda: ["status", "request_id"])


class ConsoleExpect(Strict):
    uncaught_errors: int | None = Field(default=0, ge=0)


class ServerExpect(Strict):
    questions_stored_once: bool = Field(default=False, description="each question sent is stored exactly once")
    assistant_answers: int | None = Field(default=None, ge=0, description="stored assistant messages")


class RateLimitExpect(Strict):
    retry_after_honoured: bool = Field(
        default=True, description="no new send before the Retry-After of a 429 has passed (virtual time)"
    )


class MessagesExpect(Strict):
    user: int | None = Field(default=None, ge=0)
    assistant: int | None = Field(default=None, ge=0)
    last_text_contains: str | None = None


class Expect(Strict):
    status: StatusExpect | None = None
    toasts: ToastsExpect | None = None
    retry_cta: RetryCtaExpect | None = None
    fallback: FallbackExpect | None = None
    messages: MessagesExpect | None = None
    requests: dict[str, RequestExpect] = Field(
        default_factory=dict, description="keys are 'METHOD /path' (path without query; * for a prefix)"
    )
    rate_limit: RateLimitExpect | None = None
    analytics: dict[str, AnalyticsEventExpect] = Field(default_factory=dict, description="keys are event names")
    telemetry: TelemetryExpect | None = None
    console: ConsoleExpect | None = None
    server: ServerExpect | None = None
    html_never_executes: bool = Field(
        default=False, description="markup injected into an answer renders as text and never runs"
    )
    input_value: str | None = Field(default=None, description="what the question input holds at the end")
    unused_faults: list[str] = Field(
        default_factory=list,
        description="faults that may fire on no request; any other fault that never fires fails the run",
    )
    widget_present: bool | None = Field(default=None, description="whether the widget exists on the page at all")

    @field_validator("requests")
    @classmethod
    def _request_keys(cls, value: dict[str, RequestExpect]) -> dict[str, RequestExpect]:
        for key in value:
            method, _, path = key.partition(" ")
            if not (method.isupper() and path.startswith("/")):
                raise ValueError(f"request key '{key}' must look like 'GET /api/dynamic-ai/chat'")
        return value
