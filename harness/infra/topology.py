"""One run's chain of processes.

    browser → mitmproxy → Toxiproxy ``edge`` → app → Toxiproxy ``upstream`` → engine

Started once per pytest worker; every part is torn down in reverse order on any
exit path, including a failure half-way through start-up.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.infra.app_server import app_env, start_engine, start_reference_app
from harness.infra.mitm import MitmProxy
from harness.infra.process import ManagedProcess
from harness.infra.toxiproxy_server import Toxiproxy, ToxiproxyServer

# Short enough that an upstream `timeout` toxic answers 504 before the widget's
# own request timeout fires on the virtual clock (which runs ~10x faster than
# real time while a scenario waits), long enough that a latency toxic of a few
# hundred ms is only slow.
ENGINE_TIMEOUT_S = 1.0
# Out of reach of a scenario's sends: a scenario meets a 429 when it injects one
# (or lowers this through `app_extra_env={"CHAT_RATE_LIMIT": ...}`).
RATE_LIMIT = "120/60"


@dataclass
class Topology:
    """Addresses and handles of a running chain."""

    base_url: str  # what the browser opens (mitmproxy)
    app_url: str  # the app, bypassing every proxy
    toxiproxy: Toxiproxy
    mitm: MitmProxy
    processes: dict[str, ManagedProcess]
    work_dir: Path
    engine_url: str = ""  # the engine, bypassing the `upstream` proxy
    upstream_url: str = ""  # the `upstream` proxy: what the app is told the engine is
    db_path: Path | None = None  # the app's SQLite file, for server-side checks
    regressions: tuple[str, ...] = ()
    flags: dict[str, bool] = field(default_factory=dict)

    def reset_faults(self) -> None:
        """A clean slate between scenarios (both proxies enabled, no toxics)."""
        self.toxiproxy.reset()


def regression_names(regression: str | Sequence[str] | None) -> tuple[str, ...]:
    if regression is None:
        return ()
    return (regression,) if isinstance(regression, str) else tuple(regression)


@contextlib.contextmanager
def reference_topology(
    addons: Sequence[Any],
    work_dir: Path | None = None,
    *,
    regression: str | Sequence[str] | None = None,
    flags: Mapping[str, bool] | None = None,
    regression_param: bool = False,
    app_extra_env: Mapping[str, str] | None = None,
) -> Iterator[Topology]:
    """Start the reference stack behind Toxiproxy and mitmproxy; stop it on exit.

    ``regression`` switches on defects of the regression catalogue (unknown names
    raise ``ValueError`` before anything starts); ``flags`` overrides feature
    flags; ``regression_param`` lets a page pick regressions with ``?regression=``,
    so one stack serves scenarios with different regressions.
    """
    regressions = regression_names(regression)
    work = work_dir or Path(tempfile.mkdtemp(prefix="chaos-harness-"))
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / "chat.sqlite3"
    app_env(db_path=db_path, regressions=regressions, flags=flags)  # validate before starting anything
    with contextlib.ExitStack() as stack:
        engine, engine_port = start_engine(log_dir=work)
        stack.callback(engine.stop)
        toxi_server = ToxiproxyServer(log_dir=work).start()
        stack.callback(toxi_server.stop)
        toxiproxy = toxi_server.client()
        upstream = toxiproxy.create_proxy("upstream", f"127.0.0.1:{engine_port}")
        upstream_url = f"http://{upstream.listen_host}:{upstream.listen_port}"
        app, app_port = start_reference_app(
            db_path=db_path,
            log_dir=work,
            engine_url=upstream_url,
            regressions=regressions,
            flags=flags,
            regression_param=regression_param,
            engine_timeout_s=ENGINE_TIMEOUT_S,
            extra_env={"CHAT_RATE_LIMIT": RATE_LIMIT, **(app_extra_env or {})},
        )
        stack.callback(app.stop)
        edge = toxiproxy.create_proxy("edge", f"127.0.0.1:{app_port}")
        mitm = MitmProxy(f"reverse:http://{edge.listen_host}:{edge.listen_port}", addons).start()
        stack.callback(mitm.stop)
        assert toxi_server.process is not None
        yield Topology(
            base_url=mitm.url,
            app_url=f"http://127.0.0.1:{app_port}",
            toxiproxy=toxiproxy,
            mitm=mitm,
            processes={"app": app, "engine": engine, "toxiproxy": toxi_server.process},
            work_dir=work,
            engine_url=f"http://127.0.0.1:{engine_port}",
            upstream_url=upstream_url,
            db_path=db_path,
            regressions=regressions,
            flags=dict(flags or {}),
        )
