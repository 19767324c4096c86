"""Every Toxiproxy toxic, installed by the fault engine on the real server, seen through the chain.

``edge`` sits between mitmproxy and the app, ``upstream`` between the app and
the assistant engine; each test installs one scenario fault and checks what a
client (or, for the close-time toxic, a raw connection) sees.
"""

from __future__ import annotations

import re
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.faults.driver import FaultDriver
from harness.faults.http_addon import ChaosHttpFaults
from harness.faults.toxics import apply_tcp_fault
from harness.infra.topology import Topology, reference_topology
from harness.scenario.faults import TcpFault
from harness.scenario.loader import parse_scenario
from harness.timeline import Timeline
from tests.faults.helpers import CHAT

pytestmark = pytest.mark.e2e
TIMEOUT_S = 10


@pytest.fixture(scope="module")
def topo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    with reference_topology([ChaosHttpFaults()], tmp_path_factory.mktemp("toxics-live")) as topology:
        yield topology


@pytest.fixture(autouse=True)
def clean(topo: Topology) -> Iterator[None]:
    yield
    topo.reset_faults()


def toxic(topo: Topology, **tcp: Any) -> dict[str, Any]:
    fault = TcpFault.model_validate({"id": f"t-{tcp['toxic']}", "tcp": tcp})
    return apply_tcp_fault(topo.toxiproxy, fault)


def timed(method: str, url: str, **kwargs: Any) -> tuple[float, httpx.Response | str]:
    started = time.monotonic()
    try:
        with httpx.Client(timeout=TIMEOUT_S) as client:
            response = client.request(method, url, **kwargs)
            response.read()
            outcome: httpx.Response | str = response
    except httpx.HTTPError as exc:
        outcome = type(exc).__name__
    return time.monotonic() - started, outcome


def history(topo: Topology) -> tuple[float, httpx.Response | str]:
    return timed("GET", f"{topo.base_url}{CHAT}?sessionId={uuid.uuid4()}")


def send(topo: Topology, stream: bool = False) -> tuple[float, httpx.Response | str]:
    body = {"sessionId": str(uuid.uuid4()), "message": "What are your fees?", "history": []}
    return timed("POST", f"{topo.base_url}{CHAT}{'?stream=1' if stream else ''}", json=body)


def status(outcome: httpx.Response | str) -> int | str:
    return outcome.status_code if isinstance(outcome, httpx.Response) else outcome


def test_every_toxic_is_stored_with_toxiproxys_attribute_names(topo: Topology) -> None:
    stored = toxic(
        topo,
        proxy="edge",
        toxic="slicer",
        average_size=64,
        size_variation=8,
        delay_us=100,
        stream="upstream",
        toxicity=0.5,
    )
    assert stored == {
        "proxy": "edge",
        "name": "t-slicer",
        "type": "slicer",
        "stream": "upstream",
        "toxicity": 0.5,
        "attributes": {"average_size": 64, "size_variation": 8, "delay": 100},
    }
    assert topo.toxiproxy.toxics("edge")["t-slicer"]["type"] == "slicer"


@pytest.mark.parametrize("proxy", ["edge", "upstream"])
def test_latency(topo: Topology, proxy: str) -> None:
    toxic(topo, proxy=proxy, toxic="latency", latency_ms=300, jitter_ms=20)
    elapsed, outcome = send(topo) if proxy == "upstream" else history(topo)
    assert status(outcome) == 200 and elapsed >= 0.28


def test_bandwidth_on_edge(topo: Topology) -> None:
    index = httpx.get(topo.app_url + "/", timeout=TIMEOUT_S).text
    asset = re.findall(r'src="(/assets/[^"]+\.js)"', index)[0]
    size = len(httpx.get(topo.app_url + asset, timeout=TIMEOUT_S).content)
    toxic(topo, proxy="edge", toxic="bandwidth", rate_kbps=400)
    elapsed, outcome = timed("GET", topo.base_url + asset)
    assert isinstance(outcome, httpx.Response) and len(outcome.content) == size
    assert elapsed >= size / 400_000 * 0.8


def test_bandwidth_on_upstream(topo: Topology) -> None:
    fast, _ = send(topo, stream=True)
    toxic(topo, proxy="upstream", toxic="bandwidth", rate_kbps=1)
    slow, outcome = send(topo, stream=True)
    assert status(outcome) == 200 and slow > fast + 0.2


@pytest.mark.parametrize("proxy", ["edge", "upstream"])
def test_slow_close(topo: Topology, proxy: str) -> None:
    """The server's close reaches the client late: seen on a raw connection through the proxy."""
    listen = topo.toxiproxy.listen_address(proxy)
    toxic(topo, proxy=proxy, toxic="slow_close", delay_ms=400)
    started = time.monotonic()
    with socket.create_connection(listen, timeout=TIMEOUT_S) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        received = b""
        while chunk := conn.recv(65_536):
            received += chunk
            answered = time.monotonic()
    closed = time.monotonic()
    assert received.startswith(b"HTTP/1.1 200")
    assert closed - started >= 0.38 and closed - answered >= 0.3


def test_timeout_on_edge(topo: Topology) -> None:
    toxic(topo, proxy="edge", toxic="timeout", timeout_ms=500)
    elapsed, outcome = history(topo)
    assert status(outcome) in (502, "RemoteProtocolError") and elapsed >= 0.45


def test_timeout_on_upstream_is_the_apis_504(topo: Topology) -> None:
    toxic(topo, proxy="upstream", toxic="timeout", timeout_ms=0)
    _, outcome = send(topo)
    assert status(outcome) == 504


@pytest.mark.parametrize(("proxy", "expected"), [("edge", (502, "RemoteProtocolError")), ("upstream", (502,))])
def test_reset_peer(topo: Topology, proxy: str, expected: tuple[int | str, ...]) -> None:
    toxic(topo, proxy=proxy, toxic="reset_peer", timeout_ms=0)
    _, outcome = send(topo) if proxy == "upstream" else history(topo)
    assert status(outcome) in expected


def test_slicer_on_edge_delivers_everything_slowly(topo: Topology) -> None:
    plain = httpx.get(f"{topo.app_url}{CHAT}?sessionId=slicer", timeout=TIMEOUT_S).content
    toxic(topo, proxy="edge", toxic="slicer", average_size=8, size_variation=2, delay_us=10_000)
    elapsed, outcome = timed("GET", f"{topo.base_url}{CHAT}?sessionId=slicer")
    assert isinstance(outcome, httpx.Response) and outcome.content == plain
    assert elapsed >= 0.1  # ~30 slices of headers and body, 10 ms apart


def test_slicer_on_upstream_keeps_the_stream_intact(topo: Topology) -> None:
    toxic(topo, proxy="upstream", toxic="slicer", average_size=4, size_variation=1, delay_us=100)
    _, outcome = send(topo, stream=True)
    assert isinstance(outcome, httpx.Response) and outcome.text.rstrip().endswith("}")
    assert '"type": "done"' in outcome.text


def test_limit_data_on_edge_cuts_the_answer(topo: Topology) -> None:
    toxic(topo, proxy="edge", toxic="limit_data", bytes=60)
    _, outcome = history(topo)
    assert status(outcome) in (502, "RemoteProtocolError")


def test_limit_data_on_upstream_cuts_the_stream_after_ack(topo: Topology) -> None:
    toxic(topo, proxy="upstream", toxic="limit_data", bytes=400)
    _, outcome = send(topo, stream=True)
    assert isinstance(outcome, httpx.Response) and outcome.status_code == 200
    assert '"type": "error"' in outcome.text and '"type": "done"' not in outcome.text


@pytest.mark.parametrize(("proxy", "expected"), [("edge", "RemoteProtocolError"), ("upstream", 502)])
def test_down(topo: Topology, proxy: str, expected: int | str) -> None:
    stored = toxic(topo, proxy=proxy, toxic="down")
    assert stored == {"proxy": proxy, "enabled": False} and not topo.toxiproxy.enabled(proxy)
    _, outcome = send(topo) if proxy == "upstream" else history(topo)
    assert status(outcome) == expected


def test_the_driver_leaves_no_toxic_behind_whatever_happened(topo: Topology) -> None:
    scenario = parse_scenario(
        "id: s\ntitle: t\nfaults:\n"
        "  - {id: a, tcp: {proxy: edge, toxic: latency, latency_ms: 50}}\n"
        "  - {id: b, tcp: {proxy: upstream, toxic: down}}\n"
        "  - {id: c, tcp: {proxy: upstream, toxic: limit_data, bytes: 10}, armed: false}\n"
        "steps: [load_page, {inject: c}]\n"
    )
    driver = FaultDriver(ChaosHttpFaults(), topo.toxiproxy, Timeline())
    driver.install(scenario)
    driver.inject(scenario.faults[2])
    assert set(topo.toxiproxy.toxics("edge")) == {"a"} and set(topo.toxiproxy.toxics("upstream")) == {"c"}
    try:
        raise RuntimeError("the scenario blew up")
    except RuntimeError:
        pass
    finally:
        driver.clear()
    assert topo.toxiproxy.toxics("edge") == {} and topo.toxiproxy.toxics("upstream") == {}
    assert topo.toxiproxy.enabled("edge") and topo.toxiproxy.enabled("upstream")
    assert status(history(topo)[1]) == 200
