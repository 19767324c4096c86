"""The checked wrapper over toxiproxy-python, against real Toxiproxy servers."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.infra import toxiproxy_server
from harness.infra.errors import InfrastructureError
from harness.infra.toxiproxy_server import Toxiproxy, ToxiproxyServer

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ToxiproxyServer, ToxiproxyServer]]:
    first = ToxiproxyServer(log_dir=tmp_path_factory.mktemp("toxi-a")).start()
    second = ToxiproxyServer(log_dir=tmp_path_factory.mktemp("toxi-b")).start()
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


@pytest.fixture
def client(servers: tuple[ToxiproxyServer, ToxiproxyServer]) -> Iterator[Toxiproxy]:
    toxiproxy = servers[0].client()
    toxiproxy.create_proxy("p", "127.0.0.1:9")
    yield toxiproxy
    toxiproxy.reset()


def test_add_toxic_returns_what_the_server_stored(client: Toxiproxy) -> None:
    stored = client.add_toxic(
        "p", name="slow", type="latency", stream="upstream", toxicity=0.25, attributes={"latency": 120, "jitter": 5}
    )
    assert stored == {
        "name": "slow",
        "type": "latency",
        "stream": "upstream",
        "toxicity": 0.25,
        "attributes": {"latency": 120, "jitter": 5},
    }
    assert client.toxics("p")["slow"]["attributes"] == {"latency": 120, "jitter": 5}
    client.remove_toxic("p", "slow")
    client.remove_toxic("p", "slow")  # already gone: fine
    assert client.toxics("p") == {}


def test_enable_disable_and_reset_are_checked_against_the_server(client: Toxiproxy) -> None:
    client.set_enabled("p", False)
    assert client.enabled("p") is False
    client.add_toxic("p", name="x", type="timeout", attributes={"timeout": 0})
    client.reset()
    assert client.enabled("p") is True and client.toxics("p") == {}


def test_the_servers_complaint_is_named(client: Toxiproxy) -> None:
    with pytest.raises(InfrastructureError, match="could not add toxic 'x' \\(nope\\).*invalid toxic type"):
        client.add_toxic("p", name="x", type="nope")
    with pytest.raises(InfrastructureError, match="no proxy named 'missing'"):
        client.add_toxic("missing", name="x", type="latency")


def test_two_servers_in_one_process_do_not_cross(servers: tuple[ToxiproxyServer, ToxiproxyServer]) -> None:
    a, b = servers[0].client(), servers[1].client()
    a.create_proxy("only-a", "127.0.0.1:9")
    b.create_proxy("only-b", "127.0.0.1:9")
    assert "only-a" in a.proxy_names() and "only-a" not in b.proxy_names()
    assert "only-b" in b.proxy_names() and "only-b" not in a.proxy_names()
    host, port = a.listen_address("only-a")
    assert host == "127.0.0.1" and port > 0


def test_an_unreachable_server_is_an_infrastructure_error(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(InfrastructureError, match="could not reset"):
        Toxiproxy("127.0.0.1", port).reset()


def test_a_server_that_never_answers_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(toxiproxy_server, "REQUEST_TIMEOUT_S", 0.3)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.monotonic()
        with pytest.raises(InfrastructureError, match="timed out"):
            Toxiproxy("127.0.0.1", silent.getsockname()[1]).reset()
        assert time.monotonic() - started < 3
