"""What the page showed: the retry CTA, the fallback message, the conversation,
and facts read once at the end (input value, injected markup, the widget itself)."""

from __future__ import annotations

from typing import Any

from harness.assertions.base import Failure
from harness.scenario.expect import Expect, FallbackExpect, MessagesExpect, RetryCtaExpect
from harness.timeline import Event, Timeline

UI_KINDS = ("ui.status", "ui.retry_cta", "ui.fallback", "ui.messages", "ui.toast", "ui.guidance")


def settled_states(timeline: Timeline) -> list[tuple[Event, dict[str, Any]]]:
    """The UI state after each batch of probe events (one DOM update may emit several)."""
    state: dict[str, Any] = {"status": None, "cta": False, "fallback": 0}
    events = [e for e in timeline.events("ui") if e.kind in UI_KINDS]
    out: list[tuple[Event, dict[str, Any]]] = []
    for i, event in enumerate(events):
        if event.kind == "ui.status":
            state["status"] = event.data["status"]
        elif event.kind == "ui.retry_cta":
            state["cta"] = bool(event.data.get("present"))
        elif event.kind == "ui.fallback":
            state["fallback"] = int(event.data.get("count", 0))
        following = events[i + 1] if i + 1 < len(events) else None
        same_batch = following is not None and following.data.get("batch") == event.data.get("batch")
        if not same_batch:
            out.append((event, dict(state)))
    return out


def check_retry_cta(spec: RetryCtaExpect, timeline: Timeline) -> list[Failure]:
    failures: list[Failure] = []
    states = settled_states(timeline)
    if spec.only_in_error:
        for event, state in states:
            if state["cta"] and state["status"] != "error":
                failures.append(
                    Failure(
                        "expect.retry_cta.only_in_error",
                        "'Retry connection' only while in error",
                        f"it showed while the status was '{state['status']}'",
                        around_seq=event.seq,
                    )
                )
                break
            if state["status"] == "error" and not state["cta"]:
                failures.append(
                    Failure(
                        "expect.retry_cta.only_in_error",
                        "'Retry connection' shown in error",
                        "the status was error and the control was missing",
                        around_seq=event.seq,
                    )
                )
                break
    if spec.shown is not None:
        shown = any(state["cta"] for _, state in states)
        if shown != spec.shown:
            failures.append(
                Failure(
                    "expect.retry_cta.shown",
                    "shown" if spec.shown else "never shown",
                    "shown" if shown else "never shown",
                )
            )
    return failures


def check_fallback(spec: FallbackExpect, timeline: Timeline) -> list[Failure]:
    failures: list[Failure] = []
    shows = timeline.events("ui.fallback")
    most = max((int(e.data.get("count", 0)) for e in shows), default=0)
    if spec.rendered_at_most is not None and most > spec.rendered_at_most:
        worst = next(e for e in shows if int(e.data.get("count", 0)) == most)
        failures.append(
            Failure(
                "expect.fallback.rendered_at_most",
                f"at most {spec.rendered_at_most} on screen",
                f"{most} at once",
                around_seq=worst.seq,
            )
        )
    if spec.shown is not None and (most > 0) != spec.shown:
        failures.append(
            Failure(
                "expect.fallback.shown",
                "shown" if spec.shown else "never shown",
                "shown" if most > 0 else "never shown",
            )
        )
    if spec.never_in_history:
        inside = next((e for e in timeline.events("ui.messages") if e.data.get("fallback_inside")), None)
        if inside is not None:
            failures.append(
                Failure(
                    "expect.fallback.never_in_history",
                    "the fallback outside the message list",
                    "it was rendered inside the conversation",
                    around_seq=inside.seq,
                )
            )
        texts = {str(e.data.get("text")) for e in shows if e.data.get("text")}
        stored = [m for m in _server_messages(timeline) if str(m.get("content")) in texts]
        if stored:
            failures.append(
                Failure(
                    "expect.fallback.never_in_history",
                    "the fallback never stored as a message",
                    f"the server history holds it {len(stored)} time(s)",
                )
            )
    if spec.cleared_on_reconnect:
        states = settled_states(timeline)
        after = [(e, s) for e, s in states if s["status"] == "connected"]
        stuck = next(((e, s) for e, s in after if s["fallback"] > 0), None)
        if not after:
            failures.append(
                Failure("expect.fallback.cleared_on_reconnect", "a reconnect", "the status never became connected")
            )
        elif stuck is not None or after[-1][1]["fallback"] > 0:
            failures.append(
                Failure(
                    "expect.fallback.cleared_on_reconnect",
                    "no fallback once connected",
                    "the fallback stayed on screen",
                    around_seq=(stuck or after[-1])[0].seq,
                )
            )
    return failures


def _server_messages(timeline: Timeline) -> list[dict[str, Any]]:
    events = timeline.events("server.history")
    messages = events[-1].data.get("messages") if events else None
    return [m for m in messages or [] if isinstance(m, dict)]


def check_messages(spec: MessagesExpect, timeline: Timeline) -> list[Failure]:
    events = timeline.events("ui.messages")
    last = events[-1].data if events else {"user": 0, "assistant": 0, "last_text": ""}
    failures: list[Failure] = []
    for role in ("user", "assistant"):
        wanted = getattr(spec, role)
        if wanted is not None and int(str(last.get(role, 0))) != wanted:
            failures.append(
                Failure(f"expect.messages.{role}", f"{wanted} {role} message(s) on screen", f"{last.get(role, 0)}")
            )
    if spec.last_text_contains is not None and spec.last_text_contains not in str(last.get("last_text", "")):
        failures.append(
            Failure(
                "expect.messages.last_text_contains", repr(spec.last_text_contains), repr(last.get("last_text", ""))
            )
        )
    return failures


def check_page_facts(spec: Expect, timeline: Timeline) -> list[Failure]:
    snapshots = timeline.events("page.snapshot")
    facts = snapshots[-1].data if snapshots else {}
    failures: list[Failure] = []
    if spec.html_never_executes:
        if facts.get("injected_script_ran", True):
            failures.append(
                Failure(
                    "expect.html_never_executes",
                    "markup in an answer to render as text",
                    "the injected script ran" if snapshots else "the page was never read",
                )
            )
    if spec.input_value is not None and facts.get("input_value") != spec.input_value:
        failures.append(Failure("expect.input_value", repr(spec.input_value), repr(facts.get("input_value"))))
    if spec.widget_present is not None and bool(facts.get("widget_present")) != spec.widget_present:
        failures.append(
            Failure(
                "expect.widget_present",
                "the widget " + ("present" if spec.widget_present else "absent"),
                "present" if facts.get("widget_present") else "absent",
            )
        )
    return failures
