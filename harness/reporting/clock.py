"""Put every timeline event on the page's clock, the one the user lives by.

Page events carry the page's (virtual) clock; proxy and harness events carry only
wall time. A chart that mixed the two would squash a minute of modelled outage
into the second it took to run, so wall times are mapped onto the page clock
through the page events around them: between two page readings the page clock
moves at least at real pace and never past the next reading.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from harness.timeline import Event


@dataclass(frozen=True)
class PageClock:
    """Milliseconds on the page clock since its first reading (0 when the page first spoke)."""

    origin: float | None
    walls: tuple[float, ...]
    pages: tuple[float, ...]

    @classmethod
    def of(cls, events: Sequence[Event]) -> PageClock:
        origin = next((e.virtual_ms for e in events if e.virtual_ms is not None), None)
        if origin is None:
            return cls(None, (), ())
        readings = sorted((e.wall_ms, e.virtual_ms - origin) for e in events if e.virtual_ms is not None)
        walls: list[float] = []
        pages: list[float] = []
        for wall, page in readings:
            # The page clock never goes back; a reading that seems to is a late arrival.
            walls.append(wall)
            pages.append(max(page, pages[-1]) if pages else page)
        return cls(origin, tuple(walls), tuple(pages))

    def at(self, event: Event) -> float:
        """Where ``event`` sits on the page clock (ms, never negative)."""
        if event.virtual_ms is not None and self.origin is not None:
            return max(0.0, event.virtual_ms - self.origin)
        return self.at_wall(event.wall_ms)

    def at_wall(self, wall_ms: float) -> float:
        if not self.walls:
            return max(0.0, wall_ms)  # no page clock at all: real time is the only time
        i = bisect.bisect_right(self.walls, wall_ms) - 1
        if i < 0:
            return max(0.0, self.pages[0] - (self.walls[0] - wall_ms))
        page = self.pages[i] + (wall_ms - self.walls[i])
        if i + 1 < len(self.pages):
            page = min(page, self.pages[i + 1])
        return max(0.0, page)
