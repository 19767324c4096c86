"""One ordered event log per scenario run; assertions and reports read only this."""

from harness.timeline.events import Event, Timeline

__all__ = ["Event", "Timeline"]
