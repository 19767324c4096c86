"""mitmproxy addon that answers matching requests with HTTP faults.

Hooks only dispatch: matching and responses are small pure functions, rules are
validated before they are installed, and every decision is reported to a sink
(the scenario's timeline).

Standalone use::

    mitmdump --mode reverse:http://127.0.0.1:8000 -s harness/faults/http_addon.py \\
        --set chaos_faults=scenarios/history/history-503.yaml
"""

from __future__ import annotations

import fnmatch
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mitmproxy import ctx, exceptions, http

from harness.scenario.faults import HttpFault

Sink = Callable[[str, dict[str, Any]], object]


@dataclass
class ActiveRule:
    """A validated HTTP fault plus its running count of matches."""

    fault: HttpFault
    matched: int = 0
    fired: int = 0
    healed: bool = False

    def matches(self, method: str, path: str, host: str) -> bool:
        spec = self.fault.http
        if spec.method and spec.method.upper() != method.upper():
            return False
        if spec.host and spec.host != host:
            return False
        return fnmatch.fnmatchcase(path, spec.path) if "*" in spec.path else path == spec.path

    def should_fire(self) -> bool:
        times = self.fault.times
        return not self.healed and (times is None or self.fired < times)


def make_response(fault: HttpFault) -> http.Response:
    """The response a ``respond`` fault answers with."""
    spec = fault.respond
    headers = {"x-chaos-fault": fault.id, **spec.headers}
    if spec.json_body is not None:
        body = json.dumps(spec.json_body).encode()
        headers.setdefault("content-type", "application/json")
    else:
        body = (spec.text or "").encode()
        headers.setdefault("content-type", "text/plain")
    return http.Response.make(spec.status, body, headers)


@dataclass
class ChaosHttpFaults:
    """The addon: holds the installed rules and applies them to requests."""

    rules: list[ActiveRule] = field(default_factory=list)
    sink: Sink | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, faults: Sequence[HttpFault], sink: Sink | None) -> None:
        """Replace the rule set (thread-safe; called between scenarios)."""
        with self._lock:
            self.rules = [ActiveRule(f) for f in faults]
            self.sink = sink

    def add(self, fault: HttpFault) -> None:
        with self._lock:
            self.rules.append(ActiveRule(fault))

    def heal(self, fault_id: str) -> bool:
        with self._lock:
            hit = [r for r in self.rules if r.fault.id == fault_id]
            for rule in hit:
                rule.healed = True
        return bool(hit)

    def clear(self) -> None:
        self.install([], None)

    def counts(self) -> dict[str, tuple[int, int]]:
        """Fault id → (matched, fired)."""
        with self._lock:
            return {r.fault.id: (r.matched, r.fired) for r in self.rules}

    # mitmproxy hooks -------------------------------------------------------

    def load(self, loader: Any) -> None:
        loader.add_option("chaos_faults", str, "", "A scenario or faults YAML file whose http faults to apply.")

    def configure(self, updated: set[str]) -> None:
        if "chaos_faults" not in updated or not ctx.options.chaos_faults:
            return
        try:
            faults = load_http_faults(Path(ctx.options.chaos_faults))
        except ValueError as exc:
            raise exceptions.OptionsError(f"chaos_faults: {exc}") from exc  # type: ignore[no-untyped-call]
        self.install(faults, None)

    async def request(self, flow: http.HTTPFlow) -> None:
        request = flow.request
        with self._lock:
            rule = next(
                (
                    r
                    for r in self.rules
                    if r.matches(request.method, request.path.split("?", 1)[0], request.pretty_host)
                ),
                None,
            )
            if rule is None:
                return
            rule.matched += 1
            fire = rule.should_fire()
            if fire:
                rule.fired += 1
            sink = self.sink
        if sink:
            sink(
                "fault.fired" if fire else "fault.passed",
                {
                    "fault": rule.fault.id,
                    "kind": "http:status",
                    "method": request.method,
                    "path": request.path,
                    "match": rule.matched,
                },
            )
        if fire:
            flow.response = make_response(rule.fault)


def load_http_faults(path: Path) -> list[HttpFault]:
    """The http faults of a scenario file, validated (``ValueError`` if invalid)."""
    from harness.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        raise ValueError(exc.render()) from None
    return [f for f in scenario.faults if isinstance(f, HttpFault)]


addons = [ChaosHttpFaults()]
