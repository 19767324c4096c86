"""Requests the page made: counts, backoff gaps, and Retry-After honoured."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from harness.assertions.base import Failure
from harness.scenario.expect import BackoffExpect, RateLimitExpect, RequestExpect
from harness.timeline import Event, Timeline


def matching(timeline: Timeline, method: str | None, path: str) -> list[Event]:
    def ok(event: Event) -> bool:
        if method and str(event.data.get("method", "")).upper() != method.upper():
            return False
        url = str(event.data.get("url", "")).split("?", 1)[0]
        return url.startswith(path[:-1]) if path.endswith("*") else url == path

    return [e for e in timeline.events("net.request") if ok(e)]


def check_requests(spec: dict[str, RequestExpect], timeline: Timeline) -> list[Failure]:
    failures: list[Failure] = []
    for key, want in spec.items():
        method, _, path = key.partition(" ")
        hits = matching(timeline, method, path)
        where = f"expect.requests['{key}']"
        n = len(hits)
        if want.count is not None and n != want.count:
            failures.append(Failure(f"{where}.count", f"{want.count} request(s)", f"{n}"))
        if want.min is not None and n < want.min:
            failures.append(Failure(f"{where}.min", f"at least {want.min} request(s)", f"{n}"))
        if want.max is not None and n > want.max:
            failures.append(
                Failure(f"{where}.max", f"at most {want.max} request(s)", f"{n}", around_seq=hits[want.max].seq)
            )
        if want.backoff is not None:
            failures.extend(check_backoff(want.backoff, hits, where, timeline))
    return failures


def gaps_ms(hits: list[Event], timeline: Timeline | None = None) -> list[float]:
    """The wait before each retry: from the end of one attempt to the start of the next.

    The end is when the page had the whole answer (its body read: the widget
    judges an error by its body) or the error. Measuring from there keeps the
    network's and the machine's own time out of the backoff the widget chose: on
    a busy machine a 503's body took 590 ms to arrive, and gaps measured from its
    headers read [1089, 1039] for a healthy 500 ms → 1000 ms backoff.
    """
    ends: dict[str, float] = {}
    if timeline is not None:
        for event in timeline.events("net"):
            if event.kind in ("net.response", "net.end", "net.error") and event.virtual_ms is not None:
                key = str(event.data.get("id"))
                ends[key] = max(ends.get(key, event.virtual_ms), event.virtual_ms)
    gaps: list[float] = []
    for before, after in zip(hits, hits[1:], strict=False):
        if before.virtual_ms is None or after.virtual_ms is None:
            continue
        start = ends.get(str(before.data.get("id")), before.virtual_ms)
        gaps.append(after.virtual_ms - start)
    return gaps


def check_backoff(spec: BackoffExpect, hits: list[Event], where: str, timeline: Timeline) -> list[Failure]:
    gaps = gaps_ms(hits, timeline)
    shown = ", ".join(f"{g:.0f}" for g in gaps) or "none"
    if len(gaps) < 2 and spec.growing:
        return [Failure(f"{where}.backoff", "at least three attempts to measure backoff", f"gaps [{shown}] ms")]
    failures: list[Failure] = []
    if spec.growing and any(b <= a for a, b in zip(gaps, gaps[1:], strict=False)):
        failures.append(
            Failure(f"{where}.backoff.growing", "each gap longer than the one before", f"gaps [{shown}] ms")
        )
    if spec.min_gap_ms is not None and gaps and min(gaps) < spec.min_gap_ms:
        failures.append(
            Failure(f"{where}.backoff.min_gap_ms", f"every gap ≥ {spec.min_gap_ms} ms", f"gaps [{shown}] ms")
        )
    if spec.max_gap_ms is not None and gaps and max(gaps) > spec.max_gap_ms:
        failures.append(
            Failure(f"{where}.backoff.max_gap_ms", f"every gap ≤ {spec.max_gap_ms} ms", f"gaps [{shown}] ms")
        )
    return failures


def check_rate_limit(spec: RateLimitExpect, timeline: Timeline) -> list[Failure]:
    if not spec.retry_after_honoured:
        return []
    limited = [e for e in timeline.events("net.response") if e.data.get("status") == 429]
    if not limited:
        return [Failure("expect.rate_limit", "a 429 answer to check Retry-After against", "no 429 reached the page")]
    failures: list[Failure] = []
    for answer in limited:
        if answer.virtual_ms is None:
            continue
        seconds = _retry_after_s(answer.data.get("retry_after"), answer.virtual_ms)
        if seconds is None:
            continue
        ready_at = answer.virtual_ms + seconds * 1000
        same_route = [
            e
            for e in matching(
                timeline, str(answer.data.get("method")), str(answer.data.get("url", "")).split("?", 1)[0]
            )
            if e.seq > answer.seq
        ]
        early = next((e for e in same_route if e.virtual_ms is not None and e.virtual_ms < ready_at), None)
        if early is not None and early.virtual_ms is not None:
            failures.append(
                Failure(
                    "expect.rate_limit.retry_after_honoured",
                    f"no new request before Retry-After ({seconds:.0f} s)",
                    f"one {early.virtual_ms - answer.virtual_ms:.0f} ms after the 429",
                    around_seq=early.seq,
                )
            )
    return failures


def _retry_after_s(value: object, answered_at_ms: float) -> float | None:
    """Seconds to wait: a number, or an HTTP date read against the page's clock."""
    if value is None:
        return None
    try:
        return float(str(value))
    except ValueError:
        pass
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() * 1000 - answered_at_ms) / 1000
