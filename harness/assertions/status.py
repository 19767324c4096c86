"""Status expectations: sequence, order, forbidden states, final state, time bounds,
and the badge agreeing with the analytics the widget reports."""

from __future__ import annotations

from harness.assertions.base import Failure
from harness.scenario.expect import StatusExpect
from harness.timeline import Timeline
from harness.timeline.events import collapse


def arrow(statuses: list[str]) -> str:
    return " → ".join(statuses) if statuses else "(no status at all)"


def is_subsequence(wanted: list[str], seen: list[str]) -> bool:
    it = iter(seen)
    return all(any(s == w for s in it) for w in wanted)


def check_status(spec: StatusExpect, timeline: Timeline) -> list[Failure]:
    events = timeline.events("ui.status")
    seen = timeline.statuses()
    failures: list[Failure] = []
    if spec.sequence is not None and list(spec.sequence) != seen:
        failures.append(Failure("expect.status.sequence", arrow(list(spec.sequence)), arrow(seen)))
    if spec.subsequence is not None and not is_subsequence(list(spec.subsequence), seen):
        failures.append(
            Failure("expect.status.subsequence", f"{arrow(list(spec.subsequence))} in this order", arrow(seen))
        )
    for forbidden in spec.never:
        hit = next((e for e in events if e.data["status"] == forbidden), None)
        if hit is not None:
            failures.append(
                Failure(
                    "expect.status.never",
                    f"the badge never to show '{forbidden}'",
                    f"it did ({arrow(seen)})",
                    around_seq=hit.seq,
                )
            )
    if spec.final is not None:
        final = seen[-1] if seen else None
        if final != spec.final:
            failures.append(
                Failure(
                    "expect.status.final",
                    f"the badge to end in '{spec.final}'",
                    f"it ended in '{final}' ({arrow(seen)})",
                )
            )
    for bound in spec.within:
        failures.extend(_check_bound(bound.from_, bound.to, bound.max_ms, timeline))
    if spec.distinct_badges:
        failures.extend(_check_distinct_badges(timeline))
    if spec.matches_analytics:
        failures.extend(check_matches_analytics(timeline, "expect.status.matches_analytics"))
    return failures


def _check_bound(start: str, end: str, max_ms: int, timeline: Timeline) -> list[Failure]:
    events = timeline.events("ui.status")
    for i, entered in enumerate(events):
        if entered.data["status"] != start or entered.virtual_ms is None:
            continue
        reached = next((e for e in events[i + 1 :] if e.data["status"] == end), None)
        if reached is None or reached.virtual_ms is None:
            continue
        took = reached.virtual_ms - entered.virtual_ms
        if took > max_ms:
            return [
                Failure(
                    "expect.status.within",
                    f"'{start}' → '{end}' within {max_ms} ms",
                    f"it took {took:.0f} ms",
                    around_seq=reached.seq,
                )
            ]
        return []
    return [
        Failure(
            "expect.status.within",
            f"'{start}' followed by '{end}'",
            f"that transition never happened ({arrow(timeline.statuses())})",
        )
    ]


def _check_distinct_badges(timeline: Timeline) -> list[Failure]:
    texts: dict[str, set[str]] = {}
    for event in timeline.events("ui.status"):
        texts.setdefault(str(event.data["status"]), set()).add(str(event.data.get("text", "")))
    owners: dict[str, str] = {}
    for status, shown in texts.items():
        for text in shown:
            if text in owners and owners[text] != status:
                return [Failure("expect.status.distinct_badges", "a distinct badge text per status",
                                f"'{owners[text]}' and '{status}' both show '{text}'")]
            owners[text] = status
    return []


def check_matches_analytics(timeline: Timeline, where: str) -> list[Failure]:
    """Each badge transition has a chat_status_changed event with the same (previous, status).

    The events are separate requests and may reach the proxy out of order (seen
    under load), so when each event names its ``previous`` status, the events are
    compared as a set of transitions, each reported exactly once; otherwise they
    are read in the order of their own timestamps, then of arrival.
    """
    badge = transitions(timeline.statuses())
    events = [e.data for e in timeline.events("analytics.event") if e.data.get("event") == "chat_status_changed"]
    events.sort(key=lambda d: str(d.get("timestamp") or ""))  # stable: arrival order breaks ties
    if events and all("previous" in d for d in events):
        reported = [(None if d.get("previous") is None else str(d["previous"]), str(d.get("status")))
                    for d in events]
        if sorted(badge, key=_key) == sorted(reported, key=_key):
            return []
    else:
        reported = transitions(collapse(str(d.get("status")) for d in events))
        if badge == reported:
            return []
    return [Failure(where, f"analytics transitions to match the badge: {_pairs(badge)}", _pairs(reported))]


def _key(pair: tuple[str | None, str]) -> tuple[str, str]:
    return (pair[0] or "", pair[1])


def transitions(statuses: list[str]) -> list[tuple[str | None, str]]:
    return [(statuses[i - 1] if i else None, s) for i, s in enumerate(statuses)]


def _pairs(pairs: list[tuple[str | None, str]]) -> str:
    return ", ".join(f"{a or '∅'}→{b}" for a, b in pairs) or "(none)"
