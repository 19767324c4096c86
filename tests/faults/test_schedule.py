"""The shared schedule: after, pattern, times, probability, and why each occurrence passed."""

from __future__ import annotations

from harness.faults.schedule import Schedule, rule_random
from tests.faults.helpers import http_fault


def reasons(schedule: Schedule, n: int) -> list[str]:
    return [schedule.decide().reason for _ in range(n)]


def test_every_occurrence_has_a_reason() -> None:
    schedule = Schedule.of(http_fault(after=1, pattern=["fail", "pass"], times=1), seed=0)
    assert reasons(schedule, 5) == ["after", "fire", "pattern", "pattern", "pattern"]


def test_times_is_checked_after_the_pattern() -> None:
    schedule = Schedule.of(http_fault(pattern=["fail", "fail", "pass"], repeat=True, times=3), seed=0)
    assert reasons(schedule, 6) == ["fire", "fire", "pattern", "fire", "times", "pattern"]


def test_each_eligible_occurrence_takes_the_next_draw_of_its_own_stream() -> None:
    schedule = Schedule.of(http_fault(probability=0.5, after=2, id="flaky"), seed=11)
    decisions = [schedule.decide() for _ in range(6)]
    expected = rule_random(11, "flaky")
    assert [d.draw for d in decisions[:2]] == [None, None]
    for decision in decisions[2:]:
        draw = expected.random()
        assert decision.draw == draw
        assert decision.fire == (draw < 0.5)


def test_a_shadowed_occurrence_counts_but_does_not_fire() -> None:
    schedule = Schedule.of(http_fault(times=1), seed=0)
    assert schedule.decide(blocked=True).reason == "shadowed"
    assert schedule.decide().fire
    assert (schedule.seen, schedule.fired) == (2, 1)
