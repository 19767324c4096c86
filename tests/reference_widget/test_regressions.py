"""The regression catalogue: well-formed, documented, and in step with the front end's list."""

from __future__ import annotations

import re

import pytest

from harness.infra.paths import PROJECT_ROOT
from reference_widget.regressions import BY_NAME, CATALOGUE, CLIENT_SIDE, REGRESSIONS, parse_regressions

WIDGET = PROJECT_ROOT / "reference_widget"
PLAN_ITEMS = {
    "1. Reproduce and document",
    "2. Fortify history bootstrap",
    "3. Harden the send pipeline",
    "4. Offline UX and recovery",
    "5. Instrument and monitor",
    "6. Validate and roll out",
}


def test_the_brief_s_required_defects_are_catalogued() -> None:
    required = {
        "silent-history-failure",
        "fallback-duplicated-on-reconnect",
        "no-backoff",
        "retry-cta-no-resync",
        "recoverable-as-transport",
        "no-back-online-toast",
        "badge-stuck-syncing",
        "analytics-missing-error-transition",
        "question-stored-twice-on-retry",
        "idle-connected-same-badge",
    }
    assert required <= set(REGRESSIONS)


def test_entries_are_well_formed() -> None:
    assert len(BY_NAME) == len(CATALOGUE)
    for regression in CATALOGUE:
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", regression.name), regression.name
        assert regression.plan in PLAN_ITEMS, regression.plan
        assert regression.breaks and REGRESSIONS[regression.name] == regression.breaks


def test_the_front_end_knows_exactly_the_client_side_names() -> None:
    source = (WIDGET / "frontend" / "src" / "regressions.ts").read_text(encoding="utf-8")
    block = source.split("REGRESSION_NAMES = [", 1)[1].split("] as const", 1)[0]
    assert set(re.findall(r'"([a-z-]+)"', block)) == CLIENT_SIDE


def test_every_regression_is_documented_in_the_widget_readme() -> None:
    readme = (WIDGET / "README.md").read_text(encoding="utf-8")
    for regression in CATALOGUE:
        assert f"`{regression.name}`" in readme, f"{regression.name} is not in reference_widget/README.md"


def test_parse_regressions() -> None:
    assert parse_regressions(None) == ()
    assert parse_regressions(" no-backoff , no-backoff,badge-stuck-syncing") == ("no-backoff", "badge-stuck-syncing")
    with pytest.raises(ValueError, match="did you mean 'badge-stuck-syncing'") as info:
        parse_regressions("badge-stuck-sync")
    assert "known regressions:" in str(info.value)
