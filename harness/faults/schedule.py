"""The per-request schedule of an HTTP fault: pure, seeded, replayable.

Every request a rule matches is one *occurrence*. The first ``after`` pass; each
later one takes the next value of the rule's own random stream (seeded with the
scenario seed and the fault id, so a failure replays exactly whatever other
faults do), then the pattern, ``times`` and ``probability`` decide.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from harness.scenario.faults import HttpFault


def rule_random(seed: int, fault_id: str, stream: str = "") -> random.Random:
    """The random stream of one fault; ``stream`` separates uses (schedule, jitter)."""
    return random.Random(f"{seed}:{fault_id}{':' + stream if stream else ''}")


@dataclass(frozen=True)
class Decision:
    """What a rule decided for one occurrence, and why (for the fault log)."""

    fire: bool
    occurrence: int
    reason: str  # fire | after | pattern | times | probability | shadowed
    draw: float | None = None


@dataclass
class Schedule:
    """Counts a rule's occurrences and decides each one."""

    times: int | None = None
    after: int = 0
    pattern: tuple[str, ...] = ()
    repeat: bool = False
    probability: float | None = None
    rng: random.Random | None = None
    seen: int = 0
    fired: int = 0

    @classmethod
    def of(cls, fault: HttpFault, seed: int) -> Schedule:
        return cls(
            times=fault.times,
            after=fault.after,
            pattern=tuple(fault.pattern or ()),
            repeat=fault.repeat,
            probability=fault.probability,
            rng=rule_random(seed, fault.id) if fault.probability is not None else None,
        )

    def decide(self, blocked: bool = False) -> Decision:
        """Decide the next occurrence; ``blocked``: an earlier rule already fired on it."""
        self.seen += 1
        n = self.seen
        if n <= self.after:
            return Decision(False, n, "after")
        k = n - self.after
        draw = self.rng.random() if self.rng is not None else None
        if self.pattern and self._pattern_step(k) == "pass":
            return Decision(False, n, "pattern", draw)
        if self.times is not None and self.fired >= self.times:
            return Decision(False, n, "times", draw)
        if self.probability is not None and draw is not None and draw >= self.probability:
            return Decision(False, n, "probability", draw)
        if blocked:
            return Decision(False, n, "shadowed", draw)
        self.fired += 1
        return Decision(True, n, "fire", draw)

    def _pattern_step(self, k: int) -> str:
        if self.repeat:
            return self.pattern[(k - 1) % len(self.pattern)]
        return self.pattern[k - 1] if k <= len(self.pattern) else "pass"
