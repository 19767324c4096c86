"""The reference widget's API server and assistant engine as uvicorn subprocesses.

Each gets a socket bound by the harness (``uvicorn --fd``): the port is ephemeral
and there is no window in which another process could take it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from harness.infra.errors import InfrastructureError
from harness.infra.paths import FRONTEND_DIST, PROJECT_ROOT
from harness.infra.ports import listening_socket
from harness.infra.process import ManagedProcess, http_ready

BUILD_FIX = "run `make setup` (it builds the front end with npm into reference_widget/frontend/dist)"


def start_uvicorn(
    name: str,
    factory: str,
    *,
    env: dict[str, str],
    log_dir: Path,
    health_path: str = "/healthz",
) -> tuple[ManagedProcess, int]:
    """Start ``factory`` under uvicorn on a pre-bound loopback socket."""
    sock = listening_socket()
    port = int(sock.getsockname()[1])
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        factory,
        "--factory",
        "--fd",
        str(sock.fileno()),
        "--no-access-log",
        "--log-level",
        "warning",
        "--timeout-graceful-shutdown",
        "2",
    ]
    process = ManagedProcess(
        name,
        argv,
        ready=http_ready(f"http://127.0.0.1:{port}{health_path}"),
        env={**os.environ, **env, "PYTHONUNBUFFERED": "1"},
        cwd=PROJECT_ROOT,
        pass_fds=[sock.fileno()],
        log_path=log_dir / f"{name}.log",
        fix="see the log above; `chaos-harness serve` starts the same stack by hand",
    )
    try:
        process.start(timeout_s=30)
    finally:
        sock.close()  # the child holds its own copy
    return process, port


def start_reference_app(
    *, db_path: Path, log_dir: Path, extra_env: dict[str, str] | None = None
) -> tuple[ManagedProcess, int]:
    """The reference API server, serving the built front end."""
    if not (FRONTEND_DIST / "index.html").is_file():
        raise InfrastructureError("app server", f"the front end is not built ({FRONTEND_DIST})", BUILD_FIX)
    env = {"CHAT_DB_PATH": str(db_path), "CHAT_STATIC_DIR": str(FRONTEND_DIST), **(extra_env or {})}
    return start_uvicorn("app", "reference_widget.backend.app:create_app", env=env, log_dir=log_dir)
