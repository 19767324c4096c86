"""The regression catalogue: named defects the reference widget can be served with.

Each one breaks one promise of the resolution plan, so the harness can prove it
catches it (a scenario that still passes with a regression switched on guards
nothing). Normal builds and normal serving never switch any on: only the
``CHAT_REGRESSIONS`` environment variable of the API server does (set by
``chaos-harness serve --regression NAME`` or ``reference_topology(regression=...)``),
or the page's ``?regression=`` parameter when the server was started with
``CHAT_REGRESSION_PARAM=1``.

The front end keeps its own list of the client-side names
(``frontend/src/regressions.ts``); a test keeps the two in step.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Side = Literal["client", "server"]


@dataclass(frozen=True)
class Regression:
    """One named defect: what it breaks, which plan item guards it, where it lives."""

    name: str
    breaks: str
    plan: str
    side: Side = "client"


CATALOGUE: tuple[Regression, ...] = (
    Regression(
        "silent-history-failure",
        "a failed history load goes back to idle with no error badge, toast, fallback or retry CTA",
        "2. Fortify history bootstrap",
    ),
    Regression(
        "fallback-duplicated-on-reconnect",
        "on reconnect the fallback is copied into the conversation instead of cleared, so it shows twice",
        "4. Offline UX and recovery",
    ),
    Regression(
        "no-backoff",
        "transient send failures are retried at once, with no exponential backoff between attempts",
        "3. Harden the send pipeline",
    ),
    Regression(
        "retry-cta-no-resync",
        "'Retry connection' clears the error without re-fetching history (no syncing, no GET)",
        "4. Offline UX and recovery",
    ),
    Regression(
        "recoverable-as-transport",
        "400/422/429 are retried like transport failures and end in error with the fallback",
        "3. Harden the send pipeline",
    ),
    Regression(
        "no-back-online-toast",
        "recovering from an outage clears the error but never toasts 'Back online'",
        "4. Offline UX and recovery",
    ),
    Regression(
        "badge-stuck-syncing",
        "after a successful answer the status stays 'syncing' instead of 'connected'",
        "1. Reproduce and document",
    ),
    Regression(
        "analytics-missing-error-transition",
        "the transition into 'error' sends no chat_status_changed analytics event",
        "5. Instrument and monitor",
    ),
    Regression(
        "question-stored-twice-on-retry",
        "each retry of a send uses a new idempotency key, so the server stores the question again",
        "3. Harden the send pipeline",
    ),
    Regression(
        "idle-connected-same-badge",
        "'idle' and 'connected' show the same badge text ('🟢 Online'), as in the production widget",
        "1. Reproduce and document",
    ),
    Regression(
        "retry-after-ignored",
        "a 429's Retry-After is ignored: Send stays enabled and no countdown is shown",
        "3. Harden the send pipeline",
    ),
    Regression(
        "messages-rendered-as-html",
        "messages are inserted as HTML instead of text, so markup in a message runs",
        "6. Validate and roll out",
    ),
    Regression(
        "kill-switch-ignored",
        "the chat_widget_enabled feature flag is ignored, so a rollback does not remove the widget",
        "6. Validate and roll out",
    ),
    Regression(
        "history-oldest-fifty",
        "the history route returns the oldest 50 messages instead of the newest 50",
        "2. Fortify history bootstrap",
        side="server",
    ),
)

REGRESSIONS: dict[str, str] = {r.name: r.breaks for r in CATALOGUE}
"""Every regression's name and what it breaks, for the harness to enumerate."""

BY_NAME: dict[str, Regression] = {r.name: r for r in CATALOGUE}
CLIENT_SIDE: frozenset[str] = frozenset(r.name for r in CATALOGUE if r.side == "client")


def unknown_regression_message(name: str) -> str:
    """A message a person can act on: the valid names and a close match."""
    close = difflib.get_close_matches(name, REGRESSIONS, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown regression '{name}'{hint}\n  known regressions: {', '.join(REGRESSIONS)}"


def parse_regressions(text: str | None) -> tuple[str, ...]:
    """Parse a comma-separated list of names; raise ``ValueError`` on any unknown one."""
    names = tuple(dict.fromkeys(n.strip() for n in (text or "").split(",") if n.strip()))
    unknown = [n for n in names if n not in REGRESSIONS]
    if unknown:
        raise ValueError("\n".join(unknown_regression_message(n) for n in unknown))
    return names
