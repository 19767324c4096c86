"""``chaos-harness serve``: the reference stack, for a person to use by hand.

    browser → app (``--port``) → Toxiproxy ``upstream`` → engine

The person opens the app directly; Toxiproxy stays between the API and the
engine so the model can be broken by hand (its API address is printed on
stderr). Standard output gets exactly one line, ``serving http://127.0.0.1:<port>/``,
so scripts can read the address. Ctrl-C or SIGTERM stops every process.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import tempfile
import time
from pathlib import Path
from types import FrameType

from harness.infra.app_server import start_engine, start_reference_app
from harness.infra.errors import InfrastructureError
from harness.infra.process import ManagedProcess
from harness.infra.toxiproxy_server import ToxiproxyServer
from reference_widget.regressions import BY_NAME, parse_regressions

POLL_S = 0.2


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def note(text: str) -> None:
    print(f"chaos-harness serve: {text}", file=sys.stderr, flush=True)


def serve(*, port: int = 0, regression: str | None = None) -> int:
    """Start the reference stack, print ``serving http://127.0.0.1:<port>/``, run until Ctrl-C.

    Exit codes: 0 stopped by the person, 2 bad arguments, 3 a process failed.
    """
    try:
        regressions = parse_regressions(regression)
    except ValueError as exc:
        note(str(exc))
        return 2
    if not 0 <= port <= 65535:
        note(f"--port must be between 0 and 65535, not {port}")
        return 2
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with tempfile.TemporaryDirectory(prefix="chaos-serve-") as tmp, contextlib.ExitStack() as stack:
            return _run(Path(tmp), port, regressions, stack)
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(work: Path, port: int, regressions: tuple[str, ...], stack: contextlib.ExitStack) -> int:
    processes: list[ManagedProcess] = []
    try:
        engine, engine_port = start_engine(log_dir=work)
        stack.callback(engine.stop)
        processes.append(engine)
        engine_url = f"http://127.0.0.1:{engine_port}"
        toxiproxy_note = "Toxiproxy not found: the API talks to the engine directly"
        with contextlib.suppress(InfrastructureError):
            toxi = ToxiproxyServer(log_dir=work).start()
            stack.callback(toxi.stop)
            assert toxi.process is not None
            processes.append(toxi.process)
            upstream = toxi.client().create_proxy("upstream", f"127.0.0.1:{engine_port}")
            engine_url = f"http://{upstream.listen_host}:{upstream.listen_port}"
            toxiproxy_note = (
                f"Toxiproxy API {toxi.api_url}; break the model with "
                f"`curl -X POST {toxi.api_url}/proxies/upstream -d '{{\"enabled\": false}}'`"
            )
        app, app_port = start_reference_app(
            db_path=work / "chat.sqlite3", log_dir=work, engine_url=engine_url, regressions=regressions, port=port
        )
        stack.callback(app.stop)
        processes.append(app)
    except InfrastructureError as exc:
        note(f"broken infrastructure: {exc}")
        return 3
    print(f"serving http://127.0.0.1:{app_port}/", flush=True)
    note(toxiproxy_note)
    for name in regressions:
        note(f"regression on: {name}: {BY_NAME[name].breaks}")
    note("Ctrl-C stops everything")
    while True:
        for process in processes:
            if not process.alive():
                note(f"{process.name} exited unexpectedly{process.log_tail()}")
                return 3
        time.sleep(POLL_S)
