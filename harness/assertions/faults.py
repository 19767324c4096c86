"""No vacuous passes: every declared fault must have touched the widget's traffic.

A scenario whose fault never fired proves nothing about the behaviour it names.
HTTP faults report each firing; a TCP fault counts as used when traffic that its
proxy carries flowed while it was installed (``edge`` carries every request,
``upstream`` the sends that reach the assistant engine).
"""

from __future__ import annotations

from harness.assertions.base import Failure
from harness.timeline import Event, Timeline

UPSTREAM_METHODS = ("POST",)


def _windows(timeline: Timeline, fault_id: str) -> list[tuple[int, int]]:
    """(installed seq, healed seq) pairs for one fault."""
    opened: int | None = None
    out: list[tuple[int, int]] = []
    for event in timeline.events("fault"):
        if event.data.get("fault") != fault_id:
            continue
        if event.kind == "fault.installed":
            opened = event.seq
        elif event.kind == "fault.healed" and opened is not None:
            out.append((opened, event.seq))
            opened = None
    if opened is not None:
        out.append((opened, len(timeline)))
    return out


def _carried(flow: Event, proxy: str, chat_path: str) -> bool:
    if proxy != "upstream":
        return True
    path = str(flow.data.get("path", "")).split("?", 1)[0]
    return path == chat_path and flow.data.get("method") in UPSTREAM_METHODS


def check_faults_fired(declared: list[str], unused: list[str], timeline: Timeline, chat_path: str) -> list[Failure]:
    failures: list[Failure] = []
    installs = {str(e.data.get("fault")): e for e in timeline.events("fault.installed")}
    fired = {str(e.data.get("fault")) for e in timeline.events("fault.fired")}
    flows = timeline.events("proxy.flow")
    for fault_id in declared:
        if fault_id in unused:
            continue
        install = installs.get(fault_id)
        if install is None:
            failures.append(Failure(f"fault '{fault_id}'", "the fault to be installed and to fire",
                                    "it was never installed (an armed: false fault needs an inject step)"))
            continue
        kind = str(install.data.get("kind", ""))
        if kind.startswith("http:"):
            used = fault_id in fired
        else:
            proxy = str(install.data.get("proxy", "edge"))
            used = any(start < f.seq <= end and _carried(f, proxy, chat_path)
                       for start, end in _windows(timeline, fault_id) for f in flows)
        if not used:
            failures.append(Failure(
                f"fault '{fault_id}' ({kind})", "to act on at least one request the widget made",
                "it never did: the scenario proves nothing about it (list it in expect.unused_faults "
                "if it is meant to stay unused)", around_seq=install.seq))
    return failures
