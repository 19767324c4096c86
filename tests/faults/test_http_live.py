"""Every HTTP fault kind through the real chain: client → mitmproxy → Toxiproxy → app → engine."""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.faults.http_addon import ChaosHttpFaults
from harness.infra.errors import InfrastructureError
from harness.infra.paths import PROJECT_ROOT
from harness.infra.ports import free_port
from harness.infra.process import ManagedProcess, http_ready
from harness.infra.topology import Topology, reference_topology
from harness.scenario.faults import HttpFault
from tests.faults.helpers import CHAT, Recorder

pytestmark = pytest.mark.e2e
TIMEOUT_S = 10


@dataclass
class Answer:
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    events: list[tuple[float, dict[str, Any]]] = field(default_factory=list)  # (arrival, frame)
    error: str | None = None  # the connection failed (no response, or a cut body)


def call(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Answer:
    """One request on a fresh connection (httpx: strict about cut bodies); SSE frames timed as they arrive."""
    answer = Answer(None)
    try:
        with (
            httpx.Client(base_url=base, timeout=TIMEOUT_S) as client,
            client.stream(method, path, json=body) as response,
        ):
            answer.status, answer.headers = response.status_code, dict(response.headers)
            if "text/event-stream" in answer.headers.get("content-type", ""):
                for line in response.iter_lines():
                    answer.body += line.encode() + b"\n"
                    if line.startswith("data: "):
                        answer.events.append((time.monotonic(), json.loads(line[6:])))
            else:
                answer.body = response.read()
    except httpx.HTTPError as exc:
        answer.error = type(exc).__name__
    return answer


def history(topo: Topology, session: str) -> list[dict[str, Any]]:
    answer = call(topo.app_url, "GET", f"{CHAT}?sessionId={session}")  # straight to the app
    messages: list[dict[str, Any]] = json.loads(answer.body)["messages"]
    return messages


def send(topo: Topology, session: str, stream: bool) -> Answer:
    body = {"sessionId": session, "message": "What are your fees?", "history": []}
    return call(topo.base_url, "POST", CHAT + ("?stream=1" if stream else ""), body)


@pytest.fixture(scope="module")
def addon() -> ChaosHttpFaults:
    return ChaosHttpFaults()


@pytest.fixture(scope="module")
def topo(addon: ChaosHttpFaults, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    with reference_topology([addon], tmp_path_factory.mktemp("http-live")) as topology:
        yield topology


@pytest.fixture
def log(addon: ChaosHttpFaults, topo: Topology) -> Iterator[Recorder]:
    recorder = Recorder()
    addon.install([], recorder)
    yield recorder
    addon.clear()
    topo.reset_faults()


def fired(log: Recorder, timeout_s: float = TIMEOUT_S) -> None:
    """Wait until the proxy has acted on a request (the client's send is asynchronous)."""
    deadline = time.monotonic() + timeout_s
    while not log.of("fault.fired"):
        assert time.monotonic() < deadline, "the fault never fired"
        time.sleep(0.01)


def install(addon: ChaosHttpFaults, log: Recorder, **spec: Any) -> None:
    spec.setdefault("id", "f")
    addon.add(HttpFault.model_validate(spec))


def session() -> str:
    return str(uuid.uuid4())


def test_respond(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    install(addon, log, http={"method": "GET", "path": CHAT}, respond={"status": 503, "json": {"ok": False}})
    answer = call(topo.base_url, "GET", f"{CHAT}?sessionId={session()}")
    assert answer.status == 503 and json.loads(answer.body) == {"ok": False}
    assert answer.headers["x-chaos-fault"] == "f"
    assert log.kinds() == ["fault.fired"]


def test_rate_limit(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    install(addon, log, http={"method": "POST", "path": CHAT}, rate_limit={"retry_after_s": 12})
    answer = send(topo, session(), stream=False)
    assert answer.status == 429 and answer.headers["retry-after"] == "12"


def test_delay_before_the_server(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    install(addon, log, http={"path": CHAT}, delay={"ms": 400})
    started = time.monotonic()
    answer = call(topo.base_url, "GET", f"{CHAT}?sessionId={session()}")
    assert answer.status == 200 and time.monotonic() - started >= 0.38


def test_delay_between_stream_chunks(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    plain = send(topo, session(), stream=True)
    install(addon, log, http={"method": "POST", "path": CHAT}, delay={"ms": 60, "at": "chunks"})
    paced = send(topo, session(), stream=True)
    assert paced.status == 200 and [f for _, f in paced.events][-1]["type"] == "done"
    assert [f["type"] for _, f in paced.events] == [f["type"] for _, f in plain.events]
    span = paced.events[-1][0] - paced.events[0][0]
    assert span >= 0.06 * (len(paced.events) - 1) * 0.9  # every event waited its turn (a busy reader may batch)
    assert log.of("fault.applied")[0]["pieces"] >= len(paced.events)


def test_hang_until_healed(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    install(addon, log, http={"path": CHAT}, hang={})
    answers: list[Answer] = []
    worker = threading.Thread(target=lambda: answers.append(call(topo.base_url, "GET", f"{CHAT}?sessionId=x")))
    worker.start()
    fired(log)
    time.sleep(0.2)
    assert worker.is_alive()
    addon.heal("f")
    worker.join(TIMEOUT_S)
    assert answers[0].status == 200
    assert log.of("fault.released")[0]["reason"] == "heal"


def test_hang_bounded_then_reset(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    install(addon, log, http={"path": CHAT}, hang={"max_ms": 200, "then": "reset"})
    answer = call(topo.base_url, "GET", f"{CHAT}?sessionId=x")
    assert answer.status is None and answer.error is not None


def test_reset_before_the_server_never_reaches_it(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    install(addon, log, http={"method": "POST", "path": CHAT}, reset={})
    sid = session()
    answer = send(topo, sid, stream=False)
    assert answer.status is None and answer.error == "RemoteProtocolError"  # no response at all
    assert history(topo, sid) == []


def test_reset_after_the_server_processed_it(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    install(addon, log, http={"method": "POST", "path": CHAT}, reset={"at": "response"})
    sid = session()
    answer = send(topo, sid, stream=False)
    assert answer.status is None and answer.error is not None
    assert [m["role"] for m in history(topo, sid)] == ["user", "assistant"]  # stored, answer lost


@pytest.mark.parametrize("shape", ["invalid_json", "wrong_schema", "empty"])
def test_malformed_body(addon: ChaosHttpFaults, topo: Topology, log: Recorder, shape: str) -> None:
    install(addon, log, http={"method": "GET", "path": CHAT}, malformed_body=shape)
    answer = call(topo.base_url, "GET", f"{CHAT}?sessionId={session()}")
    assert answer.status == 200
    if shape == "invalid_json":
        with pytest.raises(ValueError):
            json.loads(answer.body)
    elif shape == "wrong_schema":
        assert json.loads(answer.body) == {"data": {"ok": True, "messages": []}}
    else:
        assert answer.body == b""


def test_truncate_stream_then_close(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    install(addon, log, http={"method": "POST", "path": CHAT}, truncate_stream={"after_events": 2})
    answer = send(topo, session(), stream=True)
    assert answer.status == 200 and [f["type"] for _, f in answer.events] == ["ack", "token"]
    assert answer.error is not None  # the body never ended: the reader fails


def test_truncate_stream_then_end(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    install(addon, log, http={"method": "POST", "path": CHAT}, truncate_stream={"after_events": 3, "then": "end"})
    answer = send(topo, session(), stream=True)
    assert [f["type"] for _, f in answer.events] == ["ack", "token", "token"] and answer.error is None


def test_truncate_a_plain_body_after_bytes(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    install(addon, log, http={"method": "GET", "path": CHAT}, truncate_stream={"after_bytes": 8})
    answer = call(topo.base_url, "GET", f"{CHAT}?sessionId={session()}")
    assert answer.error == "RemoteProtocolError"  # content-length promised more


def test_patch_body_json_and_stream(addon: ChaosHttpFaults, topo: Topology, log: Recorder) -> None:
    payload = "<img src=x onerror=alert(1)>"
    install(addon, log, http={"method": "POST", "path": CHAT}, patch_body={"set": {"/assistantMessage": payload}})
    answer = send(topo, session(), stream=False)
    assert json.loads(answer.body)["assistantMessage"] == payload
    addon.clear()
    addon.install([], log)
    install(
        addon,
        log,
        http={"method": "POST", "path": CHAT},
        patch_body={"set": {"/message": payload}, "where": {"type": "done"}},
    )
    streamed = send(topo, session(), stream=True)
    assert streamed.events[-1][1]["type"] == "done" and streamed.events[-1][1]["message"] == payload


def test_unmatched_event_streams_arrive_live_not_in_one_burst(topo: Topology, log: Recorder) -> None:
    answer = send(topo, session(), stream=True)
    first, last = answer.events[0][0], answer.events[-1][0]
    assert last - first > 0.02  # the engine's tokens are 5 ms apart; a buffered body arrives at once


def test_nothing_is_left_behind_after_clear(
    addon: ChaosHttpFaults, topo: Topology, log: Recorder, tmp_path: Path
) -> None:
    install(addon, log, http={"path": CHAT}, hang={})
    answers: list[Answer] = []
    worker = threading.Thread(target=lambda: answers.append(call(topo.base_url, "GET", f"{CHAT}?sessionId=x")))
    worker.start()
    fired(log)
    addon.clear()
    worker.join(TIMEOUT_S)
    assert not worker.is_alive() and answers[0].status is None
    assert call(topo.base_url, "GET", f"{CHAT}?sessionId=x").status == 200


def test_the_addon_file_works_standalone_in_mitmdump(topo: Topology, tmp_path: Path) -> None:
    """``mitmdump -s harness/faults/http_addon.py --set chaos_faults=<scenario>``, as the README says."""
    scenario = PROJECT_ROOT / "scenarios" / "history" / "history-503.yaml"
    mitmdump = Path(sys.executable).parent / "mitmdump"
    for _ in range(3):  # the port is a hint: retry if another process takes it first
        port = free_port()
        process = ManagedProcess(
            "mitmdump",
            [
                str(mitmdump),
                "--mode",
                f"reverse:{topo.app_url}",
                "--listen-host",
                "127.0.0.1",
                "--listen-port",
                str(port),
                "-s",
                str(PROJECT_ROOT / "harness" / "faults" / "http_addon.py"),
                "--set",
                f"chaos_faults={scenario}",
            ],
            ready=http_ready(f"http://127.0.0.1:{port}/healthz"),
            log_path=tmp_path / "mitmdump.log",
        )
        try:
            process.start(timeout_s=30)
        except InfrastructureError:
            continue
        try:
            base = f"http://127.0.0.1:{port}"
            assert call(base, "GET", f"{CHAT}?sessionId={session()}").status == 503
            assert call(base, "GET", "/healthz").status == 200
        finally:
            process.stop()
        return
    pytest.fail((tmp_path / "mitmdump.log").read_text()[-2000:])
