"""The reference widget's API server and assistant engine as uvicorn subprocesses.

Each gets a socket bound by the harness (``uvicorn --fd``): the port is ephemeral
(or the one a person asked for) and there is no window in which another process
could take it.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from harness.infra.errors import InfrastructureError
from harness.infra.paths import FRONTEND_DIST, PROJECT_ROOT
from harness.infra.ports import LOOPBACK, listening_socket
from harness.infra.process import ManagedProcess, http_ready
from reference_widget.regressions import parse_regressions

BUILD_FIX = "run `make setup` (it builds the front end with npm into reference_widget/frontend/dist)"


def bound_socket(port: int) -> socket.socket:
    """A listening loopback socket: ephemeral for ``port=0``, else exactly ``port``."""
    if port == 0:
        return listening_socket()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError as exc:
        sock.close()
        problem = f"port {port} is taken" if exc.errno == errno.EADDRINUSE else f"cannot bind port {port}: {exc}"
        raise InfrastructureError("app server", problem, "pick another --port, or omit it for a free one") from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


KEEP_ALIVE_S = 600


def start_uvicorn(
    name: str,
    factory: str,
    *,
    env: Mapping[str, str],
    log_dir: Path,
    health_path: str = "/healthz",
    port: int = 0,
) -> tuple[ManagedProcess, int]:
    """Start ``factory`` under uvicorn on a pre-bound loopback socket."""
    sock = bound_socket(port)
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
        # uvicorn closes idle keep-alive connections after 5 s by default. A request
        # mitmproxy sends on one just as it closes is lost ("server closed connection",
        # a 502 nobody injected: seen in a soak). The server must never close first.
        "--timeout-keep-alive",
        str(KEEP_ALIVE_S),
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


def start_engine(*, log_dir: Path, token_delay_ms: float = 5) -> tuple[ManagedProcess, int]:
    """The assistant engine: deterministic answers streamed token by token."""
    env = {"ENGINE_TOKEN_DELAY_MS": str(token_delay_ms)}
    return start_uvicorn("engine", "reference_widget.engine.app:create_app", env=env, log_dir=log_dir)


def app_env(
    *,
    db_path: Path,
    engine_url: str | None = None,
    regressions: Sequence[str] = (),
    flags: Mapping[str, bool] | None = None,
    regression_param: bool = False,
    engine_timeout_s: float | None = None,
) -> dict[str, str]:
    """The API server's environment; regression names are checked here, before anything starts."""
    names = parse_regressions(",".join(regressions))
    env = {"CHAT_DB_PATH": str(db_path), "CHAT_STATIC_DIR": str(FRONTEND_DIST)}
    if engine_url:
        env["CHAT_ENGINE_URL"] = engine_url
    if names:
        env["CHAT_REGRESSIONS"] = ",".join(names)
    if flags:
        env["CHAT_FLAGS"] = ",".join(f"{name}={'on' if value else 'off'}" for name, value in flags.items())
    if regression_param:
        env["CHAT_REGRESSION_PARAM"] = "1"
    if engine_timeout_s is not None:
        env["CHAT_ENGINE_TIMEOUT_S"] = str(engine_timeout_s)
    return env


def start_reference_app(
    *,
    db_path: Path,
    log_dir: Path,
    extra_env: Mapping[str, str] | None = None,
    engine_url: str | None = None,
    regressions: Sequence[str] = (),
    flags: Mapping[str, bool] | None = None,
    regression_param: bool = False,
    engine_timeout_s: float | None = None,
    port: int = 0,
) -> tuple[ManagedProcess, int]:
    """The reference API server, serving the built front end, asking the engine at ``engine_url``."""
    if not (FRONTEND_DIST / "index.html").is_file():
        raise InfrastructureError("app server", f"the front end is not built ({FRONTEND_DIST})", BUILD_FIX)
    env = app_env(
        db_path=db_path,
        engine_url=engine_url,
        regressions=regressions,
        flags=flags,
        regression_param=regression_param,
        engine_timeout_s=engine_timeout_s,
    )
    env.update(extra_env or {})
    return start_uvicorn("app", "reference_widget.backend.app:create_app", env=env, log_dir=log_dir, port=port)
