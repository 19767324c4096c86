"""One run's chain of processes: browser → mitmproxy → Toxiproxy ``edge`` → app.

Started once per pytest worker; every part is torn down in reverse order on any
exit path, including a failure half-way through start-up.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.infra.app_server import start_reference_app
from harness.infra.mitm import MitmProxy
from harness.infra.process import ManagedProcess
from harness.infra.toxiproxy_server import Toxiproxy, ToxiproxyServer


@dataclass
class Topology:
    """Addresses and handles of a running chain."""

    base_url: str  # what the browser opens (mitmproxy)
    app_url: str  # the app, bypassing every proxy
    toxiproxy: Toxiproxy
    mitm: MitmProxy
    processes: dict[str, ManagedProcess]
    work_dir: Path

    def reset_faults(self) -> None:
        """A clean slate between scenarios."""
        self.toxiproxy.reset()


@contextlib.contextmanager
def reference_topology(addons: Sequence[Any], work_dir: Path | None = None) -> Iterator[Topology]:
    """Start the reference stack behind Toxiproxy and mitmproxy; stop it on exit."""
    work = work_dir or Path(tempfile.mkdtemp(prefix="chaos-harness-"))
    work.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        app, app_port = start_reference_app(db_path=work / "chat.sqlite3", log_dir=work)
        stack.callback(app.stop)
        toxi_server = ToxiproxyServer(log_dir=work).start()
        stack.callback(toxi_server.stop)
        toxiproxy = toxi_server.client()
        edge = toxiproxy.create_proxy("edge", f"127.0.0.1:{app_port}")
        mitm = MitmProxy(f"reverse:http://{edge.listen_host}:{edge.listen_port}", addons).start()
        stack.callback(mitm.stop)
        assert toxi_server.process is not None
        yield Topology(
            base_url=mitm.url,
            app_url=f"http://127.0.0.1:{app_port}",
            toxiproxy=toxiproxy,
            mitm=mitm,
            processes={"app": app, "toxiproxy": toxi_server.process},
            work_dir=work,
        )
