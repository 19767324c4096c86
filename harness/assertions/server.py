"""What the server stored: every question exactly once, never the fallback."""

from __future__ import annotations

from collections import Counter

from harness.assertions.base import Failure
from harness.scenario.expect import ServerExpect
from harness.timeline import Timeline


def questions_asked(timeline: Timeline) -> list[str]:
    """The questions the scenario sent, from its own send steps."""
    out: list[str] = []
    for event in timeline.events("step.start"):
        if event.data.get("step") == "send":
            args = event.data.get("args")
            text = args.get("text") if isinstance(args, dict) else args
            if text:
                out.append(str(text))
    return out


def check_server(spec: ServerExpect, timeline: Timeline) -> list[Failure]:
    histories = timeline.events("server.history")
    if not histories or "messages" not in histories[-1].data:
        reason = histories[-1].data.get("error") if histories else "it was never read"
        return [Failure("expect.server", "the server's stored history", f"unavailable: {reason}")]
    messages = [m for m in histories[-1].data["messages"] if isinstance(m, dict)]
    failures: list[Failure] = []
    if spec.questions_stored_once:
        stored = Counter(str(m.get("content")) for m in messages if m.get("role") == "user")
        for question in questions_asked(timeline):
            if stored[question] != 1:
                failures.append(
                    Failure(
                        "expect.server.questions_stored_once",
                        f"'{question}' stored exactly once",
                        f"{stored[question]} time(s)",
                    )
                )
    if spec.assistant_answers is not None:
        answers = sum(1 for m in messages if m.get("role") == "assistant")
        if answers != spec.assistant_answers:
            failures.append(
                Failure("expect.server.assistant_answers", f"{spec.assistant_answers} stored answer(s)", f"{answers}")
            )
    return failures
