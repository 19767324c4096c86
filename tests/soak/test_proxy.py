"""The mix's draws: keyed by session and request number, blips as windows, at most N per session."""

from __future__ import annotations

from harness.soak.mix import parse_mix
from harness.soak.proxy import SoakFaults, draw
from tests.faults.helpers import flow

MIX = """
name: t
faults:
  - {id: blip, http: {method: POST, path: /api/dynamic-ai/chat}, probability: 0.5, lasts_ms: 1000, max_per_session: 1,
     respond: {status: 503}}
"""


def decisions(faults: SoakFaults, session: str, times: list[float]) -> list[str | None]:
    out = []
    for now in times:
        fault = faults.decide(session, flow("POST"), now)
        out.append(fault.id if fault else None)
    return out


def test_draws_depend_on_session_and_request_number_only() -> None:
    mix = parse_mix(MIX)
    a, b = SoakFaults(mix, 1), SoakFaults(mix, 1)
    times = [10.0 * i for i in range(30)]  # far apart: no window carries over
    decisions(b, "other", times)  # another session's traffic in between changes nothing
    assert decisions(a, "7", times) == decisions(b, "7", times)
    assert draw(1, "7", "blip", 0) == draw(1, "7", "blip", 0) != draw(2, "7", "blip", 0)


def test_a_blip_fails_every_request_of_its_window_then_never_again() -> None:
    faults = SoakFaults(parse_mix(MIX), 1)
    first = next(i for i in range(100) if draw(1, "s", "blip", i) < 0.5)
    for i in range(first):
        assert faults.decide("s", flow("POST"), float(i * 10)) is None
    start = first * 10.0
    assert [f and f.id for f in (faults.decide("s", flow("POST"), start + t) for t in (0, 0.1, 0.9))] == ["blip"] * 3
    later = [faults.decide("s", flow("POST"), start + 1.5 + i) for i in range(20)]
    assert all(f is None for f in later)  # max_per_session: 1
    assert faults.fired == {"blip": 3} and faults.outages == {"blip": 1}
    assert faults.decide("s", flow("GET"), start) is None  # not matched
