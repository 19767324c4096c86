"""Toast expectations: by title, description, kind, count, and order."""

from __future__ import annotations

from harness.assertions.base import Failure
from harness.scenario.expect import ToastExpect, ToastsExpect
from harness.timeline import Event, Timeline


def _matches(event: Event, spec: ToastExpect) -> bool:
    data = event.data
    if data.get("title") != spec.title:
        return False
    if spec.description is not None and spec.description not in str(data.get("description", "")):
        return False
    return spec.kind is None or data.get("kind") == spec.kind


def check_toasts(spec: ToastsExpect, timeline: Timeline) -> list[Failure]:
    toasts = timeline.events("ui.toast")
    seen = [str(t.data.get("title")) for t in toasts]
    failures: list[Failure] = []
    firsts: list[int] = []
    for i, want in enumerate(spec.expected):
        hits = [t for t in toasts if _matches(t, want)]
        where = f"expect.toasts[{i}] '{want.title}'"
        if want.count is not None and len(hits) != want.count:
            failures.append(
                Failure(
                    where,
                    f"{want.count} time(s)",
                    f"{len(hits)} (toasts seen: {seen or 'none'})",
                    around_seq=hits[want.count].seq if len(hits) > want.count else None,
                )
            )
        elif want.count is None and not hits:
            failures.append(Failure(where, "at least once", f"never (toasts seen: {seen or 'none'})"))
        if hits:
            firsts.append(hits[0].seq)
    if spec.in_order and len(firsts) == len(spec.expected) and firsts != sorted(firsts):
        failures.append(
            Failure("expect.toasts.in_order", " then ".join(t.title for t in spec.expected), " then ".join(seen))
        )
    if spec.only:
        allowed = {t.title for t in spec.expected}
        extra = [t for t in toasts if t.data.get("title") not in allowed]
        if extra:
            failures.append(
                Failure(
                    "expect.toasts.only",
                    f"only {sorted(allowed)}",
                    f"also {[str(t.data.get('title')) for t in extra]}",
                    around_seq=extra[0].seq,
                )
            )
    return failures
