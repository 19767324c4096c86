"""Backoff gaps are measured from the end of one attempt (its body read) to the start of the next."""

from __future__ import annotations

from harness.assertions.network import check_backoff, matching
from harness.scenario.expect import BackoffExpect
from harness.timeline import Timeline

CHAT = "/api/dynamic-ai/chat"


def attempts(body_ms: list[float], backoff_ms: list[float]) -> Timeline:
    """Attempts whose answers take ``body_ms`` to read, each followed by the widget's chosen backoff."""
    t = Timeline()
    now = 1000.0
    for i, (body, wait) in enumerate(zip(body_ms, [*backoff_ms, 0.0], strict=True)):
        rid = f"f{i}"
        t.add("net.request", {"id": rid, "method": "POST", "url": CHAT}, virtual_ms=now, source="page")
        t.add("net.response", {"id": rid, "status": 503}, virtual_ms=now + 20, source="page")
        t.add("net.end", {"id": rid}, virtual_ms=now + 20 + body, source="page")
        now += 20 + body + wait
    return t


def check(t: Timeline) -> list[str]:
    spec = BackoffExpect(growing=True, min_gap_ms=350, max_gap_ms=1500)
    return [f.render() for f in check_backoff(spec, matching(t, "POST", CHAT), "x", t)]


def test_a_slow_body_on_a_busy_machine_is_not_counted_as_backoff() -> None:
    """Seen in the serial flake hunt: gaps from the headers read [1089, 1039] for 500 ms → 1000 ms."""
    assert check(attempts([570.0, 20.0, 5.0], [500.0, 1000.0])) == []


def test_backoff_that_does_not_grow_still_fails() -> None:
    failures = check(attempts([5.0, 5.0, 5.0], [500.0, 500.0]))
    assert len(failures) == 1 and "each gap longer than the one before" in failures[0]


def test_retries_at_once_fail_the_minimum_gap() -> None:
    failures = check(attempts([5.0, 5.0, 5.0], [10.0, 20.0]))
    assert any("every gap ≥ 350 ms" in f for f in failures)
