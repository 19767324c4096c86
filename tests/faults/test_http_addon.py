"""The HTTP fault addon, driven with mitmproxy's own test helpers (no live proxy).

One test per kind and per schedule option; the live chain is in test_http_live.py.
"""

from __future__ import annotations

import asyncio
import json
import time
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from mitmproxy import exceptions
from mitmproxy.test import taddons, tutils

from harness.faults.http_addon import ChaosHttpFaults
from tests.faults.helpers import CHAT, addon_with, flow, http_fault, run, sse, through

# --- respond (kind: status) ---------------------------------------------------------


def test_respond_answers_in_place_of_the_server_and_logs_the_decision() -> None:
    addon, log = addon_with(http_fault())
    f = flow()
    run(addon.request(f))
    assert f.response is not None and f.response.status_code == 503
    assert json.loads(f.response.content or b"") == {"ok": False, "error": "down"}
    assert f.response.headers["x-chaos-fault"] == "down"
    fired = log.of("fault.fired")[0]
    assert fired["fault"] == "down" and fired["kind"] == "http:status" and fired["occurrence"] == 1
    assert fired["method"] == "GET" and fired["path"] == CHAT + "?sessionId=1"
    assert fired["action"] == "answered 503"


def test_respond_text_body_and_extra_headers() -> None:
    addon, _ = addon_with(
        http_fault({"respond": {"status": 502, "text": "<h1>Bad gateway</h1>", "headers": {"x-a": "1"}}})
    )
    f = flow()
    run(addon.request(f))
    assert f.response is not None
    assert f.response.content == b"<h1>Bad gateway</h1>"
    assert f.response.headers["content-type"].startswith("text/plain")
    assert f.response.headers["x-a"] == "1"


# --- rate_limit ------------------------------------------------------------------------


def test_rate_limit_in_seconds() -> None:
    addon, log = addon_with(http_fault({"rate_limit": {"retry_after_s": 30}}, http={"path": CHAT}))
    f = flow("POST", CHAT)
    run(addon.request(f))
    assert f.response is not None and f.response.status_code == 429
    assert f.response.headers["retry-after"] == "30"
    assert json.loads(f.response.content or b"")["ok"] is False
    assert log.of("fault.fired")[0]["kind"] == "http:rate_limit"


def test_rate_limit_as_an_http_date() -> None:
    addon, _ = addon_with(http_fault({"rate_limit": {"retry_after_s": 120, "format": "http_date", "json": {"x": 1}}}))
    f = flow()
    before = time.time()
    run(addon.request(f))
    assert f.response is not None
    when = parsedate_to_datetime(f.response.headers["retry-after"]).timestamp()
    assert before + 119 <= when <= time.time() + 121
    assert json.loads(f.response.content or b"") == {"x": 1}


# --- delay -----------------------------------------------------------------------------


def test_delay_before_the_server_waits_without_blocking_the_loop() -> None:
    addon, log = addon_with(http_fault({"delay": {"ms": 150}}))

    async def scenario() -> tuple[float, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        beat = asyncio.ensure_future(ticker())
        started = time.monotonic()
        await addon.request(flow())
        beat.cancel()
        return time.monotonic() - started, ticks

    elapsed, ticks = run(scenario())
    assert 0.14 <= elapsed < 1.0
    assert ticks >= 5  # the loop kept running while the request waited
    assert log.of("fault.applied")[0]["held_ms"] == 150


def test_delay_jitter_is_seeded_by_the_scenario_seed_and_fault_id() -> None:
    def delays(seed: int) -> list[int]:
        addon, log = addon_with(http_fault({"delay": {"ms": 20, "jitter_ms": 15}}), seed=seed)
        for _ in range(4):
            run(addon.request(flow()))
        return [d["held_ms"] for d in log.of("fault.applied")]

    first = delays(7)
    assert first == delays(7)
    assert first != delays(8)
    assert all(5 <= d <= 35 for d in first)


def test_delay_after_the_server_holds_the_answer() -> None:
    addon, log = addon_with(http_fault({"delay": {"ms": 100, "at": "response"}}))
    started = time.monotonic()
    body = run(through(addon, flow(), b'{"ok": true}'))
    assert time.monotonic() - started >= 0.09
    assert body == b'{"ok": true}'
    assert log.of("fault.applied")[0]["held_ms"] == 100


def test_delay_between_chunks_redirects_the_flow_through_a_relay() -> None:
    addon, _ = addon_with(http_fault({"delay": {"ms": 10, "at": "chunks"}}))
    f = flow()
    f.request.host, f.request.port = "127.0.0.1", 1  # the real relay is exercised in test_chunk_relay.py

    async def scenario() -> None:
        await addon.request(f)
        assert f.request.port != 1 and f.request.host == "127.0.0.1"
        f.response = tutils.tresp()
        addon.responseheaders(f)
        assert f.response.stream is True
        await addon.response(f)

    run(scenario())


# --- hang ------------------------------------------------------------------------------


def test_hang_holds_until_healed_then_forwards() -> None:
    addon, log = addon_with(http_fault({"hang": {}}))
    f = flow()

    async def scenario() -> None:
        waiting = asyncio.ensure_future(addon.request(f))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        assert addon.heal("down")
        await asyncio.wait_for(waiting, 1)

    run(scenario())
    assert f.response is None and f.error is None  # released to the server
    assert log.of("fault.released")[0]["reason"] == "heal"


def test_hang_bound_then_reset() -> None:
    addon, log = addon_with(http_fault({"hang": {"max_ms": 50, "then": "reset"}}))
    f = flow()
    run(addon.request(f))
    assert f.error is not None and f.error.msg == "Connection killed."
    released = log.of("fault.released")[0]
    assert released["reason"] == "bound" and released["then"] == "reset"


def test_hang_is_released_closed_at_clear_and_at_shutdown() -> None:
    for stop in ("clear", "done"):
        addon, _ = addon_with(http_fault({"hang": {}}))
        f = flow()

        async def scenario() -> None:
            waiting = asyncio.ensure_future(addon.request(f))  # noqa: B023 - awaited in this iteration
            await asyncio.sleep(0.02)
            getattr(addon, stop)()  # noqa: B023
            await asyncio.wait_for(waiting, 1)

        run(scenario())
        assert f.error is not None, stop


def test_heal_from_another_thread_releases_a_held_request() -> None:
    addon, _ = addon_with(http_fault({"hang": {}}))
    f = flow()

    async def scenario() -> None:
        waiting = asyncio.ensure_future(addon.request(f))
        await asyncio.sleep(0.02)
        await asyncio.get_running_loop().run_in_executor(None, addon.heal, "down")
        await asyncio.wait_for(waiting, 1)

    run(scenario())
    assert f.error is None


def test_hang_after_the_server_holds_its_answer() -> None:
    addon, log = addon_with(http_fault({"hang": {"at": "response", "max_ms": 30, "then": "reset"}}))
    f = flow()
    run(through(addon, f, b"{}"))
    assert f.error is not None
    assert log.of("fault.released")[0]["reason"] == "bound"


# --- reset -----------------------------------------------------------------------------


def test_reset_before_the_server() -> None:
    addon, log = addon_with(http_fault({"reset": {}}))
    f = flow()
    run(addon.request(f))
    assert f.response is None and f.error is not None and f.error.msg == "Connection killed."
    assert log.of("fault.fired")[0]["action"] == "reset before the server"


def test_reset_after_the_server_processed_the_request() -> None:
    addon, log = addon_with(http_fault({"reset": {"at": "response"}}, http={"method": "POST", "path": CHAT}))
    f = flow("POST", CHAT, b'{"message": "hi"}')
    run(through(addon, f, b'{"ok": true}'))
    assert f.response is not None and f.response.status_code == 200  # the server answered
    assert f.error is not None  # and the browser never got it
    assert log.of("fault.applied")[0]["server_status"] == 200


def test_the_browsers_silent_resend_of_a_reset_request_is_reset_too() -> None:
    addon, log = addon_with(http_fault({"reset": {}}, times=1))
    earlier = flow(path="/assets/app.js")  # an earlier request on the same kept-alive connection
    run(addon.request(earlier))
    reset_one = flow(client=earlier.client_conn)
    run(addon.request(reset_one))
    assert reset_one.error is not None
    resend = flow()  # Chromium resends at once on a new connection
    run(addon.request(resend))
    assert resend.error is not None
    assert log.of("fault.fired")[-1]["browser_retry"] is True
    page_retry = flow()  # the page's own retry later is a new occurrence: times is spent
    run(addon.request(page_retry))
    assert page_retry.error is None
    assert log.of("fault.passed")[-1]["reason"] == "times"


def test_a_resend_on_another_reused_connection_is_absorbed_too() -> None:
    """Chromium resends again when its resend also met a reused connection (five copies seen under load)."""
    addon, log = addon_with(http_fault({"reset": {}}, times=1))
    warm = [flow(path="/assets/app.js") for _ in range(3)]
    for earlier in warm:
        run(addon.request(earlier))
    copies = [flow(client=earlier.client_conn) for earlier in warm]  # each resend on another pooled connection
    for copy in copies:
        run(addon.request(copy))
    assert all(copy.error is not None for copy in copies)
    assert [e.get("browser_retry") for e in log.of("fault.fired")] == [None, True, True]
    fresh = flow()
    fresh.client_conn.timestamp_start = fresh.request.timestamp_start
    run(addon.request(fresh))  # the last resend, on a connection opened for it: the page sees this one fail
    assert fresh.error is not None
    addon.page_saw_failure("GET", CHAT)
    page_retry = flow()
    run(addon.request(page_retry))
    assert page_retry.error is None and log.of("fault.passed")[-1]["reason"] == "times"


def test_no_resend_is_expected_on_a_fresh_connection() -> None:
    addon, log = addon_with(http_fault({"reset": {}}, times=1))
    first = flow()
    first.client_conn.timestamp_start = first.request.timestamp_start  # opened for this request
    run(addon.request(first))
    second = flow()
    run(addon.request(second))
    assert second.error is None and "browser_retry" not in log.events[-1][1]


def test_browser_retry_pass_lets_the_resend_through() -> None:
    addon, _ = addon_with(http_fault({"reset": {"browser_retry": "pass"}}, times=1))
    earlier = flow(path="/assets/app.js")
    run(addon.request(earlier))
    reset_one = flow(client=earlier.client_conn)
    run(addon.request(reset_one))
    resend = flow()
    run(addon.request(resend))
    assert reset_one.error is not None and resend.error is None


# --- malformed_body -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "check"),
    [
        ("invalid_json", lambda b: pytest.raises(ValueError, json.loads, b)),
        ("wrong_schema", lambda b: json.loads(b) == {"data": {"ok": True, "messages": []}} or pytest.fail(b)),
        ("empty", lambda b: b == b"" or pytest.fail(b)),
    ],
)
def test_malformed_body_breaks_the_servers_answer(shape: str, check: Any) -> None:
    addon, log = addon_with(http_fault({"malformed_body": shape}))
    f = flow()
    body = run(through(addon, f, b'{"ok": true, "messages": []}'))
    check(body)
    assert f.response is not None and f.response.status_code == 200
    assert f.response.headers.get("content-length") == str(len(body))
    assert log.of("fault.applied")[0]["body"] == shape


def test_malformed_body_with_a_chosen_wrong_schema() -> None:
    addon, _ = addon_with(http_fault({"malformed_body": {"as": "wrong_schema", "json": {"ok": True, "messages": "x"}}}))
    assert json.loads(run(through(addon, flow(), b"{}"))) == {"ok": True, "messages": "x"}


def test_malformed_body_on_an_event_stream_breaks_every_event() -> None:
    addon, log = addon_with(http_fault({"malformed_body": "invalid_json"}, http={"path": CHAT}))
    sent = run(through(addon, flow("POST"), sse({"type": "ack"}, {"type": "done"}), "text/event-stream"))
    events = [e for e in sent.decode().split("\n\n") if e]
    assert len(events) == 2
    for event in events:
        with pytest.raises(ValueError):
            json.loads(event.removeprefix("data: "))
    assert log.of("fault.applied")[0]["events"] == 2


# --- truncate_stream ----------------------------------------------------------------------


def test_truncate_stream_after_events_then_close() -> None:
    addon, log = addon_with(http_fault({"truncate_stream": {"after_events": 2}}, http={"path": CHAT}))
    f = flow("POST")
    stream = sse({"type": "ack"}, {"type": "token", "token": "a"}, {"type": "token", "token": "b"}, {"type": "done"})
    sent = run(through(addon, f, stream, "text/event-stream"))
    assert sent == b"".join(stream[:2])
    assert f.error is not None  # closed: no final chunk, the reader fails
    applied = log.of("fault.applied")[0]
    assert applied["events"] == 2 and applied["cut"] is True


def test_truncate_stream_after_bytes_then_end_cleanly() -> None:
    addon, _ = addon_with(http_fault({"truncate_stream": {"after_bytes": 10, "then": "end"}}))
    f = flow()
    sent = run(through(addon, f, [b'{"ok": true, ', b'"messages": []}']))
    assert sent == b'{"ok": tru'
    assert f.error is None
    assert f.response is not None
    assert "content-length" not in f.response.headers and f.response.headers["transfer-encoding"] == "chunked"


# --- patch_body -----------------------------------------------------------------------------


def test_patch_body_sets_and_removes_json_fields() -> None:
    spec = {"patch_body": {"set": {"/messages/0/content": "<img src=x onerror=alert(1)>"}, "remove": ["/extra"]}}
    addon, log = addon_with(http_fault(spec))
    answer = {"ok": True, "messages": [{"role": "assistant", "content": "hello"}], "extra": 1}
    body = json.loads(run(through(addon, flow(), json.dumps(answer).encode())))
    assert body == {"ok": True, "messages": [{"role": "assistant", "content": "<img src=x onerror=alert(1)>"}]}
    assert log.of("fault.applied")[0]["patched"] is True


def test_patch_body_on_an_event_stream_patches_the_matching_events_only() -> None:
    spec = {"patch_body": {"set": {"/message": "<b>bold</b>"}, "where": {"type": "done"}}}
    addon, log = addon_with(http_fault(spec, http={"path": CHAT}))
    stream = sse({"type": "ack"}, {"type": "done", "message": "plain"})
    sent = run(through(addon, flow("POST"), stream, "text/event-stream"))
    events = [json.loads(e.removeprefix("data: ")) for e in sent.decode().split("\n\n") if e]
    assert events == [{"type": "ack"}, {"type": "done", "message": "<b>bold</b>"}]
    assert log.of("fault.applied")[0]["events_patched"] == 1


# --- streams without faults ------------------------------------------------------------------


def test_event_streams_pass_through_live() -> None:
    addon, _ = addon_with()
    f = flow("POST")
    f.response = tutils.tresp(headers=((b"content-type", b"text/event-stream"),))
    addon.responseheaders(f)
    assert f.response.stream is True


# --- matching --------------------------------------------------------------------------------


def test_match_on_method_path_glob_regex_query_headers_and_host() -> None:
    spec = {
        "method": "post",
        "path_regex": "^/api/dynamic-ai/(chat|talk)$",
        "query": {"stream": "1"},
        "headers": {"Accept": "text/event-*"},
        "host": "*.example.com",
    }
    addon, _ = addon_with(http_fault(http=spec))
    hit = flow("POST", CHAT + "?stream=1", headers={"accept": "text/event-stream"})
    hit.request.host = "api.example.com"
    run(addon.request(hit))
    assert hit.response is not None
    for miss in (
        flow("GET", CHAT + "?stream=1", headers={"accept": "text/event-stream"}),
        flow("POST", CHAT + "?stream=0", headers={"accept": "text/event-stream"}),
        flow("POST", CHAT + "?stream=1", headers={"accept": "application/json"}),
        flow("POST", CHAT + "?stream=1"),
    ):
        miss.request.host = "api.example.com"
        run(addon.request(miss))
        assert miss.response is None
    other_host = flow("POST", CHAT + "?stream=1", headers={"accept": "text/event-stream"})
    other_host.request.host = "update.googleapis.com"
    run(addon.request(other_host))
    assert other_host.response is None


def test_glob_paths_match() -> None:
    addon, _ = addon_with(http_fault(http={"path": "/api/*"}))
    f = flow("POST", "/api/analytics")
    run(addon.request(f))
    assert f.response is not None


# --- schedule ------------------------------------------------------------------------------------


def fired_pattern(addon: ChaosHttpFaults, n: int) -> list[bool]:
    out = []
    for _ in range(n):
        f = flow()
        run(addon.request(f))
        out.append(f.response is not None)
    return out


def test_times_limits_firing() -> None:
    addon, log = addon_with(http_fault(times=2))
    assert fired_pattern(addon, 4) == [True, True, False, False]
    assert [d["reason"] for d in log.of("fault.passed")] == ["times", "times"]
    assert addon.counts() == {"down": (4, 2)}


def test_after_lets_the_first_requests_through() -> None:
    addon, _ = addon_with(http_fault(after=2, times=1))
    assert fired_pattern(addon, 4) == [False, False, True, False]


def test_pattern_then_pass() -> None:
    addon, _ = addon_with(http_fault(pattern=["fail", "pass", "fail"]))
    assert fired_pattern(addon, 5) == [True, False, True, False, False]


def test_pattern_repeated() -> None:
    addon, _ = addon_with(http_fault(pattern=["pass", "fail"], repeat=True, after=1))
    assert fired_pattern(addon, 6) == [False, False, True, False, True, False]


def test_probability_is_replayed_exactly_by_seed_and_fault_id() -> None:
    def draws(seed: int, fault_id: str = "down") -> list[bool]:
        addon, _ = addon_with(http_fault(probability=0.5, id=fault_id), seed=seed)
        return fired_pattern(addon, 20)

    assert draws(7) == draws(7)
    assert draws(7) != draws(8)
    assert draws(7) != draws(7, "other")
    assert 3 < sum(draws(7)) < 17


def test_heal_stops_a_rule_and_add_installs_one_mid_run() -> None:
    addon, log = addon_with()
    assert fired_pattern(addon, 1) == [False]
    addon.add(http_fault())
    assert fired_pattern(addon, 1) == [True]
    assert addon.heal("down")
    assert fired_pattern(addon, 1) == [False]
    assert not addon.heal("nothing")


def test_the_first_rule_that_fires_wins_and_later_ones_are_shadowed() -> None:
    first = http_fault(times=1, id="first")
    second = http_fault({"respond": {"status": 500}}, id="second")
    addon, log = addon_with(first, second)
    statuses = []
    for _ in range(2):
        f = flow()
        run(addon.request(f))
        assert f.response is not None
        statuses.append(f.response.status_code)
    assert statuses == [503, 500]
    assert log.of("fault.passed")[0] == {**log.of("fault.passed")[0], "fault": "second", "reason": "shadowed"}


def test_a_failing_sink_never_breaks_the_flow() -> None:
    addon = ChaosHttpFaults()

    def broken(kind: str, data: dict[str, Any]) -> None:
        raise RuntimeError("sink down")

    addon.install([http_fault()], broken)
    f = flow()
    run(addon.request(f))
    assert f.response is not None


# --- standalone use -------------------------------------------------------------------------------


def test_standalone_option_loads_a_scenario_file(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "id: s\ntitle: t\nseed: 3\nsteps: [open_widget, load_page]\nfaults:\n"
        "  - id: down\n    http: {path: /x}\n    respond: {status: 502}\n"
        "  - id: later\n    http: {path: /y}\n    reset: {}\n    from: 1\n"
        "  - id: slow\n    tcp: {proxy: edge, toxic: latency, latency_ms: 5}\n"
    )
    addon = ChaosHttpFaults()

    async def configure() -> None:  # inside a running loop, so taddons leaks no loop of its own
        with taddons.context(addon) as tctx:  # type: ignore[no-untyped-call]
            tctx.configure(addon, chaos_faults=str(scenario))

    asyncio.run(configure())
    assert [r.fault.id for r in addon.rules] == ["down"]
    assert addon.seed == 3


def test_an_invalid_file_is_an_options_error_naming_the_option(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("id: s\ntitle: t\nsteps: [open_widget]\nfaults: [{id: x, http: {path: /x}}]\n")
    addon = ChaosHttpFaults()

    async def configure() -> None:
        with taddons.context(addon) as tctx:  # type: ignore[no-untyped-call]
            tctx.configure(addon, chaos_faults=str(scenario))

    with pytest.raises(exceptions.OptionsError, match="(?s)chaos_faults.*needs one effect"):
        asyncio.run(configure())


def test_an_http_date_retry_after_is_on_the_pages_clock() -> None:
    addon = ChaosHttpFaults()
    page_now = 2_000_000_000.0  # the page's virtual clock has run ahead of the wall clock
    addon.install(
        [http_fault({"rate_limit": {"retry_after_s": 30, "format": "http_date"}})], None, clock=lambda: page_now
    )
    f = flow()
    run(addon.request(f))
    assert f.response is not None
    assert parsedate_to_datetime(f.response.headers["retry-after"]).timestamp() == page_now + 30


def test_once_the_page_has_seen_the_failure_no_resend_is_awaited() -> None:
    addon, log = addon_with(http_fault({"reset": {}}, times=1))
    earlier = flow(path="/assets/app.js")
    run(addon.request(earlier))
    reset_one = flow(client=earlier.client_conn)
    run(addon.request(reset_one))
    assert log.of("fault.applied")[-1]["browser_resend_expected"] is True
    addon.page_saw_failure("GET", CHAT + "?sessionId=1")  # Chromium did not resend after all
    page_retry = flow()
    run(addon.request(page_retry))
    assert page_retry.error is None
