"""Badge transitions against the analytics events that report them."""

from __future__ import annotations

from typing import Any

from harness.assertions.status import check_matches_analytics
from harness.timeline import Timeline


def timeline(badge: list[str], events: list[dict[str, Any]]) -> Timeline:
    t = Timeline()
    for status in badge:
        t.add("ui.status", {"status": status}, source="page")
    for data in events:
        t.add("analytics.event", {"event": "chat_status_changed", **data}, source="proxy")
    return t


def ev(previous: str | None, status: str, ms: int) -> dict[str, Any]:
    return {"previous": previous, "status": status, "timestamp": f"2026-12-04T19:21:53.{ms:03d}Z"}


def test_events_that_reach_the_proxy_out_of_order_still_match() -> None:
    """Seen in a 20x flake hunt under load: the error transition's POST overtook the syncing one."""
    arrived = [ev(None, "idle", 1), ev("syncing", "error", 9), ev("idle", "syncing", 5)]
    assert check_matches_analytics(timeline(["idle", "syncing", "error"], arrived), "x") == []


def test_a_missing_transition_is_caught_in_any_order() -> None:
    arrived = [ev("idle", "syncing", 5), ev(None, "idle", 1)]
    failures = check_matches_analytics(timeline(["idle", "syncing", "error"], arrived), "x")
    assert len(failures) == 1 and "syncing→error" in failures[0].render()


def test_a_transition_reported_twice_is_caught() -> None:
    arrived = [ev(None, "idle", 1), ev("idle", "syncing", 5), ev("syncing", "error", 9), ev("syncing", "error", 9)]
    assert check_matches_analytics(timeline(["idle", "syncing", "error"], arrived), "x")


def test_events_without_previous_are_read_in_timestamp_order() -> None:
    arrived = [{"status": "idle", "timestamp": "1"}, {"status": "error", "timestamp": "3"},
               {"status": "syncing", "timestamp": "2"}]
    assert check_matches_analytics(timeline(["idle", "syncing", "error"], arrived), "x") == []
    wrong = [{"status": "idle", "timestamp": "1"}, {"status": "error", "timestamp": "2"}]
    assert check_matches_analytics(timeline(["idle", "syncing", "error"], wrong), "x")
