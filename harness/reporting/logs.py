"""Plain-text logs cut from the timeline: the fault log and the console log.

Each line reads like ``timeline.excerpt()``: wall time, page time, kind, details,
so QA can paste a line into an issue and developers can find it in the table.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.timeline import Event
from harness.timeline.events import format_event

FAULT_KINDS = ("fault.",)
CONSOLE_KINDS = ("console.",)


def _origin(events: Sequence[Event]) -> float | None:
    return next((e.virtual_ms for e in events if e.virtual_ms is not None), None)


def log_text(events: Sequence[Event], prefixes: tuple[str, ...], empty: str) -> str:
    origin = _origin(events)
    lines = [format_event(e, origin) for e in events if e.kind.startswith(prefixes)]
    return "\n".join(lines) + "\n" if lines else empty + "\n"


def fault_log(events: Sequence[Event]) -> str:
    """Every fault decision: installed, fired, passed (with why), applied, released, healed."""
    header = "  wall ms       page ms          event              details\n"
    return header + log_text(events, FAULT_KINDS, "  (this scenario declared no fault)")


def console_log(events: Sequence[Event]) -> str:
    """Console errors and warnings, and uncaught page errors."""
    return log_text(events, CONSOLE_KINDS, "  (no console error, warning or uncaught page error)")
