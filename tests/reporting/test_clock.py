from harness.reporting.clock import PageClock
from tests.reporting.helpers import Events


def test_page_events_keep_their_clock_and_others_are_placed_by_wall_time() -> None:
    t = Events()
    first = t.add("ui.status", 100, 5_000, status="idle")
    harness = t.add("step.start", 150)  # 50 ms of wall time later: at most the next page reading
    jump = t.add("ui.status", 160, 65_000, status="error")  # the virtual clock jumped a minute
    late = t.add("fault.healed", 200)
    clock = PageClock.of(t.events)
    assert clock.at(first) == 0
    assert clock.at(harness) == 50
    assert clock.at(jump) == 60_000
    assert clock.at(late) == 60_040


def test_between_readings_the_clock_never_passes_the_next_one() -> None:
    t = Events()
    t.add("ui.status", 0, 1_000)
    t.add("ui.status", 10, 1_005)  # the page clock moved 5 ms while the wall moved 10
    clock = PageClock.of(t.events)
    assert clock.at_wall(8) == 5
    assert clock.at_wall(-20) == 0  # before the page existed: the start of the axis


def test_without_page_events_wall_time_is_the_only_time() -> None:
    t = Events()
    event = t.add("step.start", 42)
    assert PageClock.of(t.events).at(event) == 42
