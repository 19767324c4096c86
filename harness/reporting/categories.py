"""Failure categories: what kind of problem each non-passing scenario is.

The verdict (``harness/verdicts.py``) is carried as a ``verdict`` label, so the
categories match on it, never on message wording. Allure 3 takes them from its
config (``allure_categories()``); ``categories.json`` is the same list for
Allure 2, which matches on status and message instead.
"""

from __future__ import annotations

import json
from typing import Any

from harness.verdicts import Verdict

VERDICT_LABEL = "verdict"

# (name, Allure 3 matcher, Allure 2 rule). Order matters: the first match wins, so
# flaky comes first (a flaky regression is still flaky).
CATEGORIES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "Flaky (passed on a rerun)",
        {"flaky": True},
        {"matchedStatuses": ["failed", "broken"], "flaky": True},
    ),
    (
        "Widget regression (an expectation failed)",
        {"labels": {VERDICT_LABEL: f"^{Verdict.REGRESSION}$"}},
        {"matchedStatuses": ["failed"]},
    ),
    (
        "Invalid scenario (fix the YAML)",
        {"labels": {VERDICT_LABEL: f"^{Verdict.INVALID}$"}},
        {"matchedStatuses": ["broken"], "messageRegex": "(?s).*(ScenarioError|invalid scenario).*"},
    ),
    (
        "Interrupted (Ctrl-C or SIGTERM: no verdict)",
        {"labels": {VERDICT_LABEL: f"^{Verdict.INTERRUPTED}$"}},
        {"matchedStatuses": ["broken", "skipped"], "messageRegex": "(?s).*interrupted.*"},
    ),
    (
        "Broken infrastructure (the harness failed, not the widget)",
        {"labels": {VERDICT_LABEL: f"^{Verdict.BROKEN}$"}},
        {"matchedStatuses": ["broken"]},
    ),
]


def allure_categories() -> list[dict[str, Any]]:
    """The ``categories`` entry of an Allure 3 config."""
    return [
        {"id": name.split(" (", 1)[0].lower().replace(" ", "-"), "name": name, "matchers": matcher,
         "groupBy": [{"label": "epic"}], "expand": True}
        for name, matcher, _ in CATEGORIES
    ]


def categories_json() -> str:
    """``categories.json`` for the results directory (Allure 2)."""
    return json.dumps([{"name": name, **rule} for name, _, rule in CATEGORIES], indent=2)
