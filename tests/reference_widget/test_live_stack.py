"""The real stack through uvicorn and Toxiproxy: browser side → app → ``upstream`` → engine.

Faults on ``upstream`` must reach the API as the statuses the contract names: a
refused engine is 502, a silent one 504, a cut after ``ack`` an in-stream error.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.infra.ports import port_is_bound
from harness.infra.topology import Topology, reference_topology
from tests.reference_widget.conftest import sse_frames

pytestmark = pytest.mark.e2e
CHAT = "/api/dynamic-ai/chat"


def request(url: str, body: dict[str, Any] | None = None, timeout: float = 10) -> tuple[int, dict[str, str], str]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


@pytest.fixture(scope="module")
def topo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    with reference_topology([], tmp_path_factory.mktemp("live-stack")) as topology:
        yield topology


@pytest.fixture(autouse=True)
def clean(topo: Topology) -> Iterator[None]:
    yield
    topo.reset_faults()


def send(topo: Topology, session: str, stream: bool = True) -> tuple[int, dict[str, str], str]:
    url = topo.base_url + CHAT + ("?stream=1" if stream else "")
    return request(url, {"sessionId": session, "message": "What are your fees?", "history": []})


def test_a_streamed_answer_comes_through_every_proxy(topo: Topology) -> None:
    status, headers, text = send(topo, "live-ok")
    assert status == 200 and headers["x-request-id"]
    frames = sse_frames(text)
    assert frames[0]["type"] == "ack" and frames[-1]["type"] == "done"
    assert len([f for f in frames if f["type"] == "token"]) > 5
    assert frames[-1]["metadata"]["rule"] == "fees"
    assert topo.db_path is not None and topo.db_path.is_file()
    assert set(topo.processes) == {"app", "engine", "toxiproxy"}


def test_the_engine_is_reached_through_upstream(topo: Topology) -> None:
    assert topo.upstream_url and topo.engine_url and topo.upstream_url != topo.engine_url
    status, _, body = request(topo.engine_url + "/healthz")
    assert status == 200 and json.loads(body) == {"ok": True}


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_a_disabled_upstream_is_a_502(topo: Topology, stream: bool) -> None:
    topo.toxiproxy.set_enabled("upstream", False)
    status, headers, body = send(topo, "live-502", stream)
    assert status == 502 and headers["x-request-id"]
    assert json.loads(body)["hint"]


def test_a_silent_upstream_is_a_504(topo: Topology) -> None:
    topo.toxiproxy.add_toxic("upstream", name="silence", type="timeout", attributes={"timeout": 0})
    started = time.monotonic()
    status, _, body = send(topo, "live-504")
    assert status == 504, body
    assert time.monotonic() - started < 8  # the topology's short engine timeout


def test_a_cut_after_ack_is_an_in_stream_error(topo: Topology) -> None:
    topo.toxiproxy.add_toxic("upstream", name="cut", type="limit_data", attributes={"bytes": 300})
    status, headers, text = send(topo, "live-cut")
    assert status == 200
    frames = sse_frames(text)
    assert frames[0]["type"] == "ack"
    assert frames[-1]["type"] == "error" and frames[-1]["status"] == 502
    assert frames[-1]["requestId"] == headers["x-request-id"]


def test_regressions_and_flags_reach_the_app(tmp_path: Path) -> None:
    with reference_topology(
        [], tmp_path, regression="no-backoff", flags={"chat_widget_enabled": False}, regression_param=True
    ) as topo:
        assert topo.regressions == ("no-backoff",)
        status, _, body = request(topo.base_url + "/api/config?regression=badge-stuck-syncing")
        config = json.loads(body)
        assert config["regressions"] == ["no-backoff", "badge-stuck-syncing"]
        assert config["flags"] == {"chat_widget_enabled": False}


def test_an_unknown_regression_fails_before_anything_starts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="did you mean 'no-backoff'"):
        with reference_topology([], tmp_path, regression="no-backof"):
            pass  # pragma: no cover
    assert not (tmp_path / "engine.log").exists()


# -- chaos-harness serve ----------------------------------------------------------------


def serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # Python's default SIGINT handler: a shell's background job (CI) inherits SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def test_serve_prints_one_line_serves_and_stops_everything_on_sigterm() -> None:
    proc = serve("--regression", "no-backoff")
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("serving http://127.0.0.1:") and line.endswith("/"), line
        base = line.removeprefix("serving ").rstrip("/")
        status, _, page = request(base + "/")
        assert status == 200 and '<div id="root">' in page
        assert json.loads(request(base + "/api/config")[2])["regressions"] == ["no-backoff"]
        status, _, text = request(base + CHAT + "?stream=1", {"sessionId": "serve", "message": "hi"})
        assert status == 200 and sse_frames(text)[-1]["type"] == "done"
        port = int(base.rsplit(":", 1)[1])
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out == "", "stdout has exactly one line"
    assert "regression on: no-backoff" in err
    assert not port_is_bound(port)


def test_serve_on_a_chosen_port_and_a_taken_one() -> None:
    first = serve("--port", "0")
    try:
        assert first.stdout is not None
        port = int(first.stdout.readline().strip().rsplit(":", 1)[1].rstrip("/"))
        second = serve("--port", str(port))
        _, err = second.communicate(timeout=60)
        assert second.returncode == 3
        assert f"port {port} is taken" in err
    finally:
        first.send_signal(signal.SIGINT)
        try:
            first.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            first.kill()  # never leave a stack behind, even when the test fails
            first.communicate()
            raise
    assert first.returncode == 0


def test_serve_rejects_an_unknown_regression() -> None:
    proc = serve("--regression", "silent-history")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and out == ""
    assert "unknown regression 'silent-history'" in err and "silent-history-failure" in err
