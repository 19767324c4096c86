"""Analytics and observability: what the widget reported about itself."""

from __future__ import annotations

from harness.assertions.base import Failure
from harness.assertions.status import check_matches_analytics
from harness.scenario.expect import AnalyticsEventExpect, TelemetryExpect
from harness.timeline import Timeline


def check_analytics(spec: dict[str, AnalyticsEventExpect], timeline: Timeline) -> list[Failure]:
    events = timeline.events("analytics.event")
    failures: list[Failure] = []
    for name, want in spec.items():
        hits = [e for e in events if e.data.get("event") == name]
        where = f"expect.analytics.{name}"
        if want.count is not None and len(hits) != want.count:
            failures.append(Failure(f"{where}.count", f"{want.count} event(s)", f"{len(hits)}"))
        if want.min is not None and len(hits) < want.min:
            failures.append(Failure(f"{where}.min", f"at least {want.min} event(s)", f"{len(hits)}"))
        for field in want.fields:
            bad = next((e for e in hits if e.data.get(field) in (None, "")), None)
            if bad is not None:
                failures.append(
                    Failure(
                        f"{where}.fields",
                        f"every event to carry '{field}'",
                        f"one without it: {bad.data}",
                        around_seq=bad.seq,
                    )
                )
        if want.covers_every_transition:
            failures.extend(check_matches_analytics(timeline, f"{where}.covers_every_transition"))
    return failures


def check_telemetry(spec: TelemetryExpect, timeline: Timeline) -> list[Failure]:
    entries = timeline.events("telemetry.entry")
    complete = [e for e in entries if all(e.data.get(f) not in (None, "") for f in spec.fields)]
    if len(complete) < spec.min:
        return [
            Failure(
                "expect.telemetry",
                f"at least {spec.min} observability entr(ies) with {spec.fields}",
                f"{len(complete)} complete of {len(entries)}: {[e.data for e in entries][:3]}",
            )
        ]
    return []
