"""Managed processes: ready before use, gone after stop, failures named."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness.infra.errors import InfrastructureError
from harness.infra.ports import listening_socket, port_is_bound
from harness.infra.process import ManagedProcess, http_ready


def test_start_waits_for_readiness_and_stop_frees_the_port(tmp_path: Path) -> None:
    sock = listening_socket()
    port = sock.getsockname()[1]
    server = ManagedProcess(
        "http",
        [
            sys.executable,
            "-c",
            f"import socket,http.server as h; s=socket.socket(fileno={sock.fileno()}); "
            "srv=h.HTTPServer(('127.0.0.1',0),h.SimpleHTTPRequestHandler,bind_and_activate=False); "
            "srv.socket=s; srv.serve_forever()",
        ],
        ready=http_ready(f"http://127.0.0.1:{port}/"),
        pass_fds=[sock.fileno()],
        cwd=tmp_path,
        log_path=tmp_path / "http.log",
    )
    with server:
        sock.close()
        assert server.alive()
        assert port_is_bound(port)
    assert not server.alive()
    assert not port_is_bound(port)


def test_a_process_that_exits_early_is_infrastructure_with_its_output(tmp_path: Path) -> None:
    proc = ManagedProcess(
        "crasher",
        [sys.executable, "-c", "import sys; print('boom: config missing'); sys.exit(3)"],
        ready=lambda: False,
        log_path=tmp_path / "crasher.log",
        fix="give it its config",
    )
    with pytest.raises(InfrastructureError) as caught:
        proc.start(timeout_s=5)
    text = str(caught.value)
    assert "crasher: exited with code 3 before it was ready" in text
    assert "boom: config missing" in text
    assert "fix: give it its config" in text


def test_a_missing_binary_is_infrastructure() -> None:
    proc = ManagedProcess("ghost", ["/nonexistent/ghost-binary"], ready=lambda: True)
    with pytest.raises(InfrastructureError, match="ghost: could not start"):
        proc.start()


def test_children_of_the_process_die_with_it(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    code = (
        "import subprocess,sys,time;"
        f"p=subprocess.Popen([sys.executable,'-c','import time; time.sleep(60)']);"
        f"open({str(pidfile)!r},'w').write(str(p.pid)); time.sleep(60)"
    )
    proc = ManagedProcess("parent", [sys.executable, "-c", code], ready=pidfile.exists)
    proc.start(timeout_s=10)
    child = int(pidfile.read_text())
    proc.stop()
    import os
    import time

    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the grandchild outlived the managed process")
