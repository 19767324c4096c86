"""Drive Playwright's virtual clock so waiting costs no real time, without lying.

Timers (backoff, countdowns, request timeouts) run on the page's fake clock.
While a request is really in flight the clock only flows at real pace, so a
slow-but-healthy response is never turned into a client timeout; when nothing
is in flight, or every request in flight is known to be stuck (a ``hang``
fault fired on it, a stalling toxic holds it, or it has been in flight for
``stall_after_ms`` of real time), the clock jumps ahead in ticks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Page

from harness.timeline import Event, Timeline

TICK_MS = 1_000
REAL_POLL_MS = 5
STALL_AFTER_MS = 5_000
STALL_GRACE_MS = 200
WALL_LIMIT_S = 60.0


@dataclass
class WaitOutcome:
    met: bool
    virtual_ms: float
    wall_ms: float
    reason: str = ""


def in_flight(timeline: Timeline, background: frozenset[str] = frozenset()) -> list[Event]:
    """Page requests started and not yet ended (bodies included).

    Requests to ``background`` paths (fire-and-forget analytics, telemetry) are
    left out: the widget does not wait for them, so neither does the clock.
    """
    started: dict[str, Event] = {}
    for event in timeline.events("net"):
        request_id = str(event.data.get("id"))
        if event.kind == "net.request":
            if str(event.data.get("url", "")).split("?", 1)[0] not in background:
                started[request_id] = event
        elif event.kind == "net.end":
            started.pop(request_id, None)
    return list(started.values())


def _hung_paths(timeline: Timeline) -> list[tuple[float, str]]:
    """(when, path) of requests a ``hang`` fault holds right now.

    A hold ends when the engine releases the request (``fault.released``) or the
    fault is healed; from then on the request is real traffic again.
    """
    held: dict[tuple[str, str], tuple[float, str]] = {}
    for event in timeline.events("fault"):
        if str(event.data.get("kind", "")) != "http:hang":
            continue
        fault = str(event.data.get("fault"))
        path = str(event.data.get("path", "")).split("?", 1)[0]
        if event.kind == "fault.fired":
            held[(fault, path)] = (event.wall_ms, path)
        elif event.kind == "fault.released":
            held.pop((fault, path), None)
        elif event.kind == "fault.healed":
            for key in [k for k in held if k[0] == fault]:
                held.pop(key)
    return list(held.values())


def _stalling_toxic_active(timeline: Timeline) -> bool:
    """A Toxiproxy ``timeout`` toxic on the browser's side holds data until healed.

    Only ``edge`` counts: behind the API (``upstream``) the server's own timeout
    answers in real time, and that answer is what the widget must see.
    """
    active: set[str] = set()
    for event in timeline.events("fault"):
        if event.data.get("kind") != "tcp:timeout" or event.data.get("proxy", "edge") != "edge":
            continue
        if event.kind == "fault.installed":
            active.add(str(event.data.get("fault")))
        elif event.kind == "fault.healed":
            active.discard(str(event.data.get("fault")))
    return bool(active)


def stuck(request: Event, timeline: Timeline, now_ms: float, stall_after_ms: float) -> bool:
    """Whether waiting in real time for this request would be pointless.

    Only a fault the harness injected makes a request stuck: a ``hang`` that fired
    on it, or a stalling toxic (after a short grace). A request that is merely
    slow, because the machine is busy, is waited for in real time; past
    ``stall_after_ms`` of real time it is treated as stuck too, so a wait ends.
    """
    age = now_ms - request.wall_ms
    if age >= stall_after_ms:
        return True
    path = str(request.data.get("url", "")).split("?", 1)[0]
    if any(at >= request.wall_ms and hung == path for at, hung in _hung_paths(timeline)):
        return True
    return age >= STALL_GRACE_MS and _stalling_toxic_active(timeline)


class Pacer:
    """Advances a page's virtual clock until a condition holds or a budget is spent."""

    def __init__(
        self,
        page: Page,
        timeline: Timeline,
        *,
        virtual: bool = True,
        stall_after_ms: float = STALL_AFTER_MS,
        background: frozenset[str] = frozenset(),
        on_tick: Callable[[], None] | None = None,
    ) -> None:
        self.page = page
        self.on_tick = on_tick  # called on every iteration: the scenario's deadline check
        self.timeline = timeline
        self.virtual = virtual
        self.stall_after_ms = stall_after_ms
        self.background = background

    def until(self, done: Callable[[], bool], budget_ms: int, *, wall_limit_s: float = WALL_LIMIT_S) -> WaitOutcome:
        """Run the clock until ``done()``; ``budget_ms`` is virtual time (real time with a real clock)."""
        wall_start = time.monotonic()
        jumped = 0.0
        while True:
            wall_elapsed = (time.monotonic() - wall_start) * 1000
            virtual_elapsed = jumped + wall_elapsed
            if self.on_tick is not None:
                self.on_tick()
            if done():
                return WaitOutcome(True, virtual_elapsed, wall_elapsed)
            if virtual_elapsed >= budget_ms:
                return WaitOutcome(False, virtual_elapsed, wall_elapsed, "budget spent")
            if wall_elapsed >= wall_limit_s * 1000:
                return WaitOutcome(False, virtual_elapsed, wall_elapsed, f"no result after {wall_limit_s:.0f}s real")
            if self.virtual and self._may_jump():
                step = min(TICK_MS, max(1.0, budget_ms - virtual_elapsed))
                self.page.clock.run_for(int(step))
                jumped += int(step)
            else:
                self.page.wait_for_timeout(REAL_POLL_MS)

    def advance(self, ms: int) -> WaitOutcome:
        """Let ``ms`` of virtual time pass."""
        return self.until(lambda: False, ms)

    def settle(self, quiet_ms: int) -> WaitOutcome:
        """Let time pass until nothing is in flight, then ``quiet_ms`` more."""
        self.until(lambda: not in_flight(self.timeline), quiet_ms * 10)
        return self.advance(quiet_ms)

    def _may_jump(self) -> bool:
        now = self.timeline.now_ms()
        requests = in_flight(self.timeline, self.background)
        return all(stuck(r, self.timeline, now, self.stall_after_ms) for r in requests)
