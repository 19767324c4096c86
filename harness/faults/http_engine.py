"""The HTTP fault engine: a mitmproxy addon that injects a scenario's HTTP faults.

Each request is matched against the installed rules in order; every matching
rule counts it as one occurrence and its schedule decides (the first rule that
fires wins; later ones log that they were shadowed). The winner's effect is
applied by one small handler per kind, in the hook where it belongs: answers,
resets and holds before the server (``request``), stream cuts and rewrites as the
answer starts (``responseheaders``), body changes, holds and resets after the
server has processed the request (``response``).

Hooks never block the proxy's loop: holds wait on an ``asyncio.Event`` (released
by ``heal``, by ``clear`` or at shutdown) and chunk gaps are an asyncio relay
(see ``chunk_relay.py``). Every decision goes to a sink as a ``fault.*`` event.

``http_addon.py`` is the file to give ``mitmdump -s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mitmproxy import ctx, exceptions, http

from harness.faults import http_effects as effects
from harness.faults.chunk_relay import ChunkRelay
from harness.faults.matching import RequestFacts, matches
from harness.faults.schedule import Decision, Schedule, rule_random
from harness.faults.sse import Truncator, is_event_stream
from harness.scenario.faults import (
    Delay,
    Hang,
    HttpFault,
    HttpRespond,
    MalformedBody,
    PatchBody,
    RateLimit,
    Reset,
    TruncateStream,
)

Sink = Callable[[str, dict[str, Any]], object]
log = logging.getLogger(__name__)

# Chromium resends a request at once (measured: 5-25 ms) when a reused or idle
# connection closes without a response; a later identical request is the page's own.
BROWSER_RETRY_WINDOW_S = 2.0
# A connection older than this when its first request arrives sat idle in the
# browser's pool (a preconnect), which Chromium treats like a reused one.
IDLE_CONNECTION_S = 0.1


@dataclass
class Rule:
    """An installed HTTP fault and its running state."""

    fault: HttpFault
    schedule: Schedule
    jitter: random.Random  # for delays: the fault's own seeded stream
    healed: bool = False
    retry_of: tuple[str, str, str] | None = None  # request signature Chromium is expected to resend
    retry_deadline: float = 0.0

    @classmethod
    def of(cls, fault: HttpFault, seed: int) -> Rule:
        return cls(fault, Schedule.of(fault, seed), rule_random(seed, fault.id, "jitter"))

    def takes_retry(self, signature: tuple[str, str, str], now: float) -> bool:
        """Is this request the browser's silent resend of one this rule just reset?"""
        if self.retry_of is None:
            return False
        expected, self.retry_of = self.retry_of, None
        return expected == signature and now <= self.retry_deadline


@dataclass
class Held:
    """A request or response the addon is holding back."""

    rule_id: str
    loop: asyncio.AbstractEventLoop
    event: asyncio.Event
    outcome: str = ""  # heal | clear | shutdown

    def release(self, outcome: str) -> None:
        """Let it go, from any thread."""
        if not self.outcome:
            self.outcome = outcome
        with contextlib.suppress(RuntimeError):  # its loop is already closed
            self.loop.call_soon_threadsafe(self.event.set)


@dataclass
class Pending:
    """A fired rule whose effect is applied once the server answers."""

    rule: Rule
    relay: ChunkRelay | None = None
    stream: Any = None  # the stream callable installed, for the fault log


@dataclass
class ChaosHttpFaults:
    """The addon: installed rules, held flows, and the hooks that dispatch to effects."""

    rules: list[Rule] = field(default_factory=list)
    sink: Sink | None = None
    seed: int = 0
    # The page's clock in epoch seconds, when known: an HTTP-date Retry-After is read by the
    # browser against its own (possibly virtual) Date.now(), not the proxy's wall clock.
    clock: Callable[[], float] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pending: dict[str, Pending] = field(default_factory=dict)
    _held: list[Held] = field(default_factory=list)
    _relays: list[tuple[asyncio.AbstractEventLoop, ChunkRelay]] = field(default_factory=list)
    _requests_on: dict[str, int] = field(default_factory=dict)

    # --- control (any thread) -------------------------------------------------------

    def install(
        self,
        faults: Sequence[HttpFault],
        sink: Sink | None,
        seed: int = 0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Start a scenario: these rules, sink, seed and page clock; anything left from before is dropped."""
        self.clear()
        with self._lock:
            self.seed = seed
            self.rules = [Rule.of(f, seed) for f in faults]
            self.sink = sink
            self.clock = clock

    def add(self, fault: HttpFault) -> None:
        """Install one more rule mid-run (an ``inject`` step or a window opening)."""
        with self._lock:
            self.rules = [r for r in self.rules if r.fault.id != fault.id] + [Rule.of(fault, self.seed)]

    def heal(self, fault_id: str) -> bool:
        """Stop a rule; requests it holds go on to the server. ``False`` if none had that id."""
        with self._lock:
            hit = [r for r in self.rules if r.fault.id == fault_id]
            for rule in hit:
                rule.healed = True
            held = [h for h in self._held if h.rule_id == fault_id]
        for item in held:
            item.release("heal")
        return bool(hit)

    def clear(self) -> None:
        """Remove every rule and let everything held go (closed, not forwarded)."""
        with self._lock:
            self.rules = []
            self.sink = None
            self.clock = None
            held, self._held = self._held, []
            relays, self._relays = self._relays, []
            self._pending.clear()
        for item in held:
            item.release("clear")
        for loop, relay in relays:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(relay.close)

    def page_saw_failure(self, method: str, path: str) -> None:
        """The page has seen this request fail: any later copy of it is the page's own retry.

        Chromium resends before it reports the failure, so once the page knows, the
        resend a reset was waiting for is not coming (the connection was fresh).
        """
        with self._lock:
            for rule in self.rules:
                if rule.retry_of is not None and rule.retry_of[:2] == (method.upper(), path):
                    rule.retry_of = None

    def counts(self) -> dict[str, tuple[int, int]]:
        """Fault id → (occurrences seen, times fired)."""
        with self._lock:
            return {r.fault.id: (r.schedule.seen, r.schedule.fired) for r in self.rules}

    # --- mitmproxy hooks --------------------------------------------------------------

    def load(self, loader: Any) -> None:
        loader.add_option("chaos_faults", str, "", "A scenario file whose http faults to apply.")

    def configure(self, updated: set[str]) -> None:
        """Rules are validated when installed, never while traffic flows."""
        if "chaos_faults" not in updated or not ctx.options.chaos_faults:
            return
        try:
            faults, seed = load_http_faults(Path(ctx.options.chaos_faults))
        except ValueError as exc:
            raise exceptions.OptionsError(f"chaos_faults: {exc}") from exc  # type: ignore[no-untyped-call]
        self.install([f for f in faults if f.armed and f.from_ is None], _log_sink, seed)

    def client_disconnected(self, client: Any) -> None:
        with self._lock:
            self._requests_on.pop(client.id, None)

    async def request(self, flow: http.HTTPFlow) -> None:
        """Decide, then apply the request-phase part of the winning rule's effect."""
        winner, retry = self._decide(flow)
        if winner is None:
            return
        if retry:
            # The resend may itself land on a reused connection, and Chromium then
            # resends again (seen: five transmissions of one fetch): keep absorbing.
            self._reset(flow, winner, expect_retry=True)
            return
        handler = REQUEST_PHASE.get(type(winner.fault.effect))
        if handler is not None:
            await handler(self, flow, winner)
        else:
            self._defer(flow, winner)

    def responseheaders(self, flow: http.HTTPFlow) -> None:
        """Streams: pass event streams through live; install cuts and rewrites."""
        response = flow.response
        if response is None:
            return
        pending = self._pending.get(flow.id)
        event_stream = is_event_stream(response.headers.get("content-type"))
        if pending is not None:
            handler = STREAM_PHASE.get(type(pending.rule.fault.effect))
            if handler is not None and handler(self, flow, pending, event_stream):
                return
            if response_phase_buffers(pending.rule.fault.effect):
                return  # held, reset or changed as a whole in `response`
        if event_stream:
            # mitmproxy buffers bodies by default: a token stream would arrive as one burst.
            response.stream = True

    async def response(self, flow: http.HTTPFlow) -> None:
        """After the server has answered: body changes, holds, resets, stream cut reports."""
        with self._lock:
            pending = self._pending.pop(flow.id, None)
        if pending is None:
            return
        handler = RESPONSE_PHASE.get(type(pending.rule.fault.effect))
        if handler is not None:
            await handler(self, flow, pending)

    def error(self, flow: http.HTTPFlow) -> None:
        with self._lock:
            pending = self._pending.pop(flow.id, None)
        if pending is not None and pending.relay is not None:
            pending.relay.close()

    def done(self) -> None:
        """Shutdown: nothing may stay held."""
        self.clear()

    # --- deciding -------------------------------------------------------------------

    def _decide(self, flow: http.HTTPFlow) -> tuple[Rule | None, bool]:
        facts = request_facts(flow)
        signature = request_signature(flow)
        now = time.monotonic()
        events: list[tuple[str, dict[str, Any]]] = []
        winner: Rule | None = None
        retry = False
        with self._lock:
            connection = flow.client_conn.id
            self._requests_on[connection] = self._requests_on.get(connection, 0) + 1
            sink = self.sink
            for rule in self.rules:
                if rule.healed or not matches(rule.fault.http, facts):
                    continue
                if winner is None and rule.takes_retry(signature, now):
                    winner, retry = rule, True
                    events.append(("fault.fired", self._describe(flow, rule, None, "reset (the browser's resend)")))
                    continue
                decision = rule.schedule.decide(blocked=winner is not None)
                if decision.fire:
                    winner = rule
                kind = "fault.fired" if decision.fire else "fault.passed"
                action = describe_action(rule.fault) if decision.fire else "let through"
                events.append((kind, self._describe(flow, rule, decision, action)))
        for kind, data in events:
            self._emit(sink, kind, data)
        return winner, retry

    def _describe(self, flow: http.HTTPFlow, rule: Rule, decision: Decision | None, action: str) -> dict[str, Any]:
        data: dict[str, Any] = {**self._about(flow, rule), "connection": flow.client_conn.id[:8], "action": action}
        if decision is None:
            data["browser_retry"] = True
        else:
            data["occurrence"] = decision.occurrence
            if not decision.fire:
                data["reason"] = decision.reason
            if decision.draw is not None:
                data["draw"] = round(decision.draw, 6)
        return data

    def _emit(self, sink: Sink | None, kind: str, data: dict[str, Any]) -> None:
        if sink is None:
            return
        try:
            sink(kind, data)
        except Exception:  # the fault log must never break the proxy's flow
            log.exception("fault sink failed for %s", kind)

    def _about(self, flow: http.HTTPFlow, rule: Rule) -> dict[str, Any]:
        """Which rule and which request an event is about."""
        return {
            "fault": rule.fault.id,
            "kind": rule.fault.kind,
            "method": flow.request.method,
            "path": flow.request.path,
            "flow": flow.id[:8],
        }

    def _applied(self, flow: http.HTTPFlow, rule: Rule, **details: Any) -> None:
        self._emit(self.sink, "fault.applied", {**self._about(flow, rule), **details})

    # --- shared mechanics --------------------------------------------------------------

    def _defer(self, flow: http.HTTPFlow, rule: Rule, relay: ChunkRelay | None = None) -> None:
        # Body effects need the plain body: ask the server not to compress it.
        flow.request.headers["accept-encoding"] = "identity"
        with self._lock:
            self._pending[flow.id] = Pending(rule, relay)

    async def hold(self, rule: Rule, seconds: float | None) -> str:
        """Wait until healed (``heal``), cleared (``clear``/``shutdown``) or ``seconds`` pass (``bound``)."""
        held = Held(rule.fault.id, asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            if rule.healed:
                return "heal"
            self._held.append(held)
        try:
            if seconds is None:
                await held.event.wait()
            else:
                await asyncio.wait_for(held.event.wait(), seconds)
            return held.outcome or "heal"
        except TimeoutError:
            return "bound"
        finally:
            with self._lock:
                if held in self._held:
                    self._held.remove(held)

    def _reset(self, flow: http.HTTPFlow, rule: Rule, expect_retry: bool, **details: Any) -> None:
        """Close the browser's connection with no response at all (logged with the connection's history)."""
        with self._lock:
            earlier = self._requests_on.get(flow.client_conn.id, 1) - 1
        opened = flow.client_conn.timestamp_start
        age_s = flow.request.timestamp_start - opened if opened is not None else 0.0
        # Chromium resends when the connection was reused, or pre-connected and idle (see ARCHITECTURE.md).
        resend = expect_retry and (earlier > 0 or age_s >= IDLE_CONNECTION_S)
        if resend:
            with self._lock:
                rule.retry_of = request_signature(flow)
                rule.retry_deadline = time.monotonic() + BROWSER_RETRY_WINDOW_S
        self._applied(
            flow,
            rule,
            **details,
            reset=True,
            earlier_requests_on_connection=earlier,
            connection_age_ms=round(age_s * 1000, 1),
            browser_resend_expected=resend,
        )
        if flow.killable:
            flow.kill()  # type: ignore[no-untyped-call]

    def _track_relay(self, relay: ChunkRelay) -> None:
        with self._lock:
            self._relays.append((asyncio.get_running_loop(), relay))


# --- request phase: one handler per kind ----------------------------------------------


async def _respond(addon: ChaosHttpFaults, flow: http.HTTPFlow, rule: Rule) -> None:
    assert isinstance(rule.fault.effect, HttpRespond)
    flow.response = effects.status_response(rule.fault.effect, rule.fault.id)


async def _rate_limit(addon: ChaosHttpFaults, flow: http.HTTPFlow, rule: Rule) -> None:
    assert isinstance(rule.fault.effect, RateLimit)
    now = addon.clock() if addon.clock is not None else time.time()
    flow.response = effects.rate_limit_response(rule.fault.effect, rule.fault.id, now)


async def _delay(addon: ChaosHttpFaults, flow: http.HTTPFlow, rule: Rule) -> None:
    spec = rule.fault.effect
    assert isinstance(spec, Delay)
    if spec.at == "response":
        addon._defer(flow, rule)
        return
    if spec.at == "chunks":
        await _start_relay(addon, flow, rule, spec)
        return
    seconds = effects.jittered_s(spec.ms, spec.jitter_ms, rule.jitter)
    outcome = await addon.hold(rule, seconds)
    addon._applied(flow, rule, held_ms=round(seconds * 1000), outcome=outcome)
    if outcome in ("clear", "shutdown"):
        addon._reset(flow, rule, expect_retry=False)


async def _start_relay(addon: ChaosHttpFaults, flow: http.HTTPFlow, rule: Rule, spec: Delay) -> None:
    def gap() -> float:
        return 0.0 if rule.healed else effects.jittered_s(spec.ms, spec.jitter_ms, rule.jitter)

    relay = ChunkRelay((flow.request.host, flow.request.port), gap)
    port = await relay.start()
    addon._track_relay(relay)
    host_header = flow.request.host_header
    flow.request.host, flow.request.port = "127.0.0.1", port
    flow.request.host_header = host_header  # the server sees the request as the browser sent it
    addon._defer(flow, rule, relay)


async def _hang(addon: ChaosHttpFaults, flow: http.HTTPFlow, rule: Rule) -> None:
    spec = rule.fault.effect
    assert isinstance(spec, Hang)
    if spec.at == "response":
        addon._defer(flow, rule)
        return
    await _hold_then(addon, flow, rule, spec)


async def _hold_then(addon: ChaosHttpFaults, flow: http.HTTPFlow, rule: Rule, spec: Hang) -> None:
    started = time.monotonic()
    outcome = await addon.hold(rule, spec.max_ms / 1000 if spec.max_ms else None)
    then = "reset" if outcome in ("clear", "shutdown") or (outcome == "bound" and spec.then == "reset") else "pass"
    held_ms = round((time.monotonic() - started) * 1000)
    addon._emit(
        addon.sink, "fault.released", {**addon._about(flow, rule), "reason": outcome, "then": then, "held_ms": held_ms}
    )
    if then == "reset":
        addon._reset(flow, rule, expect_retry=outcome == "bound")


async def _reset_request(addon: ChaosHttpFaults, flow: http.HTTPFlow, rule: Rule) -> None:
    spec = rule.fault.effect
    assert isinstance(spec, Reset)
    if spec.at == "response":
        addon._defer(flow, rule)
        return
    addon._reset(flow, rule, expect_retry=spec.browser_retry == "reset")


REQUEST_PHASE: dict[type, Callable[[ChaosHttpFaults, http.HTTPFlow, Rule], Awaitable[None]]] = {
    HttpRespond: _respond,
    RateLimit: _rate_limit,
    Delay: _delay,
    Hang: _hang,
    Reset: _reset_request,
}


# --- response headers: streams ---------------------------------------------------------


def _truncate(addon: ChaosHttpFaults, flow: http.HTTPFlow, pending: Pending, event_stream: bool) -> bool:
    spec = pending.rule.fault.effect
    assert isinstance(spec, TruncateStream) and flow.response is not None
    headers = flow.response.headers
    if spec.then == "end" and "content-length" in headers:
        # The body will be shorter than announced: frame it by chunks instead.
        del headers["content-length"]
        headers["transfer-encoding"] = "chunked"
    pending.stream = Truncator(after_events=spec.after_events, after_bytes=spec.after_bytes)
    flow.response.stream = pending.stream
    return True


def _rewrite_events(addon: ChaosHttpFaults, flow: http.HTTPFlow, pending: Pending, event_stream: bool) -> bool:
    spec = pending.rule.fault.effect
    if not event_stream or flow.response is None:
        return False  # a plain body is changed as a whole in `response`
    if isinstance(spec, PatchBody):
        pending.stream = effects.patched_events(spec)
    else:
        assert isinstance(spec, MalformedBody)
        pending.stream = effects.malformed_events(spec)
    flow.response.stream = pending.stream
    return True


def _paced(addon: ChaosHttpFaults, flow: http.HTTPFlow, pending: Pending, event_stream: bool) -> bool:
    spec = pending.rule.fault.effect
    assert isinstance(spec, Delay) and flow.response is not None
    if spec.at != "chunks":
        return False
    flow.response.stream = True  # the relay's gaps reach the browser as they happen
    return True


STREAM_PHASE: dict[type, Callable[[ChaosHttpFaults, http.HTTPFlow, Pending, bool], bool]] = {
    TruncateStream: _truncate,
    PatchBody: _rewrite_events,
    MalformedBody: _rewrite_events,
    Delay: _paced,
}


def response_phase_buffers(effect: Any) -> bool:
    """Effects that need the whole answer before the browser sees any of it."""
    return isinstance(effect, Hang | Reset | MalformedBody | PatchBody) or (
        isinstance(effect, Delay) and effect.at == "response"
    )


# --- response phase: one handler per kind ----------------------------------------------


async def _malformed(addon: ChaosHttpFaults, flow: http.HTTPFlow, pending: Pending) -> None:
    spec = pending.rule.fault.effect
    assert isinstance(spec, MalformedBody) and flow.response is not None
    if pending.stream is not None:
        addon._applied(flow, pending.rule, body=spec.as_, events=pending.stream.changed)
        return
    before = flow.response.content or b""
    flow.response.content = effects.malformed_body(before, spec)
    addon._applied(flow, pending.rule, body=spec.as_, bytes_before=len(before), bytes_after=len(flow.response.content))


async def _patched(addon: ChaosHttpFaults, flow: http.HTTPFlow, pending: Pending) -> None:
    spec = pending.rule.fault.effect
    assert isinstance(spec, PatchBody) and flow.response is not None
    if pending.stream is not None:
        addon._applied(flow, pending.rule, events_patched=pending.stream.changed)
        return
    patched = effects.patched_body(flow.response.content or b"", spec)
    if patched is not None:
        flow.response.content = patched
    addon._applied(flow, pending.rule, patched=patched is not None)


async def _delay_response(addon: ChaosHttpFaults, flow: http.HTTPFlow, pending: Pending) -> None:
    spec, rule = pending.rule.fault.effect, pending.rule
    assert isinstance(spec, Delay)
    if spec.at == "chunks":
        if pending.relay is not None:
            addon._applied(flow, rule, pieces=pending.relay.pieces_sent)
            pending.relay.close()
        return
    seconds = effects.jittered_s(spec.ms, spec.jitter_ms, rule.jitter)
    outcome = await addon.hold(rule, seconds)
    addon._applied(flow, rule, held_ms=round(seconds * 1000), outcome=outcome)
    if outcome in ("clear", "shutdown"):
        addon._reset(flow, rule, expect_retry=False)


async def _hang_response(addon: ChaosHttpFaults, flow: http.HTTPFlow, pending: Pending) -> None:
    spec = pending.rule.fault.effect
    assert isinstance(spec, Hang)
    await _hold_then(addon, flow, pending.rule, spec)


async def _reset_response(addon: ChaosHttpFaults, flow: http.HTTPFlow, pending: Pending) -> None:
    spec = pending.rule.fault.effect
    assert isinstance(spec, Reset)
    status = flow.response.status_code if flow.response is not None else None
    addon._reset(flow, pending.rule, expect_retry=spec.browser_retry == "reset", server_status=status)


async def _truncated(addon: ChaosHttpFaults, flow: http.HTTPFlow, pending: Pending) -> None:
    spec = pending.rule.fault.effect
    assert isinstance(spec, TruncateStream)
    cut: Truncator = pending.stream
    addon._applied(flow, pending.rule, cut=cut.cut, events=cut.events, bytes=cut.sent_bytes, then=spec.then)
    if cut.cut and spec.then == "close" and flow.killable:
        flow.kill()  # type: ignore[no-untyped-call]  # no final chunk: the reader fails


RESPONSE_PHASE: dict[type, Callable[[ChaosHttpFaults, http.HTTPFlow, Pending], Awaitable[None]]] = {
    MalformedBody: _malformed,
    PatchBody: _patched,
    Delay: _delay_response,
    Hang: _hang_response,
    Reset: _reset_response,
    TruncateStream: _truncated,
}


# --- facts and descriptions --------------------------------------------------------------


def request_facts(flow: http.HTTPFlow) -> RequestFacts:
    request = flow.request
    return RequestFacts(
        method=request.method,
        path=request.path.split("?", 1)[0],
        query=dict(request.query.fields),
        headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers.fields},
        host=request.pretty_host,
    )


def request_signature(flow: http.HTTPFlow) -> tuple[str, str, str]:
    body = flow.request.raw_content or b""
    return flow.request.method, flow.request.path, hashlib.sha256(body).hexdigest()


def describe_action(fault: HttpFault) -> str:
    """What firing this fault does, in words, for the fault log."""
    spec = fault.effect
    if isinstance(spec, HttpRespond):
        return f"answered {spec.status}"
    if isinstance(spec, RateLimit):
        return f"answered 429, Retry-After {spec.retry_after_s} s ({spec.format})"
    if isinstance(spec, Delay):
        jitter = f" ± {spec.jitter_ms}" if spec.jitter_ms else ""
        where = {"request": "before the server", "response": "after the server", "chunks": "between chunks"}[spec.at]
        return f"delay {spec.ms}{jitter} ms {where}"
    if isinstance(spec, Hang):
        bound = f"up to {spec.max_ms} ms, then {spec.then}" if spec.max_ms else "until healed"
        return f"hang {'before' if spec.at == 'request' else 'after'} the server, {bound}"
    if isinstance(spec, Reset):
        return f"reset {'before' if spec.at == 'request' else 'after'} the server"
    if isinstance(spec, MalformedBody):
        return f"body {spec.as_}"
    if isinstance(spec, TruncateStream):
        limit = f"{spec.after_events} events" if spec.after_events is not None else f"{spec.after_bytes} bytes"
        return f"cut after {limit}, then {spec.then}"
    return f"patch {', '.join([*spec.set_, *spec.remove])}"


def _log_sink(kind: str, data: dict[str, Any]) -> None:
    log.info("%s %s", kind, " ".join(f"{k}={v}" for k, v in data.items()))


def load_http_faults(path: Path) -> tuple[list[HttpFault], int]:
    """The http faults of a scenario file and its seed, validated (``ValueError`` if invalid)."""
    from harness.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        raise ValueError(exc.render()) from None
    return [f for f in scenario.faults if isinstance(f, HttpFault)], scenario.seed
