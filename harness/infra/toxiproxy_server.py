"""The real Toxiproxy server, one per worker, on an ephemeral API port.

``toxiproxy-python`` keeps its server address in class attributes, returns
nothing from ``add_toxic`` and sets no request timeouts; :class:`Toxiproxy`
wraps it so callers get the created proxy's real listen port and a checked
toxic back (see ARCHITECTURE.md).
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from toxiproxy import Toxiproxy as ToxiproxyClient
from toxiproxy.api import APIConsumer
from toxiproxy.exceptions import NotFound

from harness.infra.errors import InfrastructureError
from harness.infra.paths import TOOLS_BIN
from harness.infra.ports import LOOPBACK, free_port
from harness.infra.process import ManagedProcess, http_ready

BINARY_NAMES = ("toxiproxy-server",)
INSTALL_FIX = (
    "run `make setup` (it builds Toxiproxy with `go install`), or put the release binary "
    "from https://github.com/Shopify/toxiproxy/releases on PATH as toxiproxy-server"
)


def find_binary() -> Path:
    """The project's pinned build first, else a ``toxiproxy-server`` on PATH."""
    local = TOOLS_BIN / "toxiproxy-server"
    if local.is_file():
        return local
    for name in BINARY_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise InfrastructureError("toxiproxy", "no toxiproxy-server binary found", INSTALL_FIX)


@dataclass(frozen=True)
class ProxyInfo:
    name: str
    listen_host: str
    listen_port: int
    upstream: str


class ToxiproxyServer:
    """A running ``toxiproxy-server`` and a client bound to it."""

    def __init__(self, log_dir: Path | None = None) -> None:
        self.binary = find_binary()
        self.log_dir = log_dir or Path(tempfile.mkdtemp(prefix="chaos-toxiproxy-"))
        self.process: ManagedProcess | None = None
        self.api_port = 0

    def start(self) -> ToxiproxyServer:
        """Start on a free port, retrying if another process took it first."""
        last: InfrastructureError | None = None
        for _ in range(3):
            port = free_port()
            self.process = ManagedProcess(
                "toxiproxy",
                [str(self.binary), "-host", LOOPBACK, "-port", str(port)],
                ready=http_ready(f"http://{LOOPBACK}:{port}/version"),
                log_path=self.log_dir / "toxiproxy.log",
                fix=INSTALL_FIX,
            )
            try:
                self.process.start(timeout_s=15)
            except InfrastructureError as exc:
                last = exc
                continue
            self.api_port = port
            return self
        assert last is not None
        raise last

    def stop(self) -> None:
        if self.process:
            self.process.stop()

    @property
    def api_url(self) -> str:
        return f"http://{LOOPBACK}:{self.api_port}"

    def client(self) -> Toxiproxy:
        return Toxiproxy(LOOPBACK, self.api_port)


class Toxiproxy:
    """A thin, checked wrapper over ``toxiproxy-python``."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._client = ToxiproxyClient()

    def _bind(self) -> None:
        # The library keeps one global server address; point it at ours each call.
        APIConsumer.host = self.host
        APIConsumer.port = self.port

    def create_proxy(self, name: str, upstream: str) -> ProxyInfo:
        """Create a proxy on an ephemeral loopback port and return where it listens."""
        self._bind()
        try:
            existing = self._client.get_proxy(name)
            if existing is not None:
                existing.destroy()
            proxy = self._client.create(upstream=upstream, name=name, listen=f"{LOOPBACK}:0")
        except requests.RequestException as exc:
            raise InfrastructureError("toxiproxy", f"could not create proxy {name!r}: {exc}") from exc
        host, _, port = str(proxy.listen).rpartition(":")
        return ProxyInfo(name=name, listen_host=host or LOOPBACK, listen_port=int(port), upstream=upstream)

    def add_toxic(
        self,
        proxy: str,
        *,
        name: str,
        type: str,
        stream: str = "downstream",
        toxicity: float = 1.0,
        attributes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Add a toxic and return it as the server stored it (the library returns None)."""
        self._bind()
        target = self._proxy(proxy)
        target.add_toxic(name=name, type=type, stream=stream, toxicity=toxicity, attributes=attributes or {})
        stored = target.get_toxic(name)
        if stored is None:
            raise InfrastructureError("toxiproxy", f"toxic {name!r} was not stored on proxy {proxy!r}")
        return {
            "name": stored.name,
            "type": stored.type,
            "stream": stored.stream,
            "toxicity": stored.toxicity,
            "attributes": stored.attributes,
        }

    def remove_toxic(self, proxy: str, name: str) -> None:
        self._bind()
        try:
            self._proxy(proxy).destroy_toxic(name)
        except NotFound:
            pass

    def set_enabled(self, proxy: str, enabled: bool) -> None:
        self._bind()
        target = self._proxy(proxy)
        if enabled:
            target.enable()
        else:
            target.disable()

    def reset(self) -> None:
        """Re-enable every proxy and remove every toxic: a clean slate."""
        self._bind()
        self._client.reset()

    def _proxy(self, name: str) -> Any:
        proxy = self._client.get_proxy(name)
        if proxy is None:
            raise InfrastructureError("toxiproxy", f"no proxy named {name!r}")
        return proxy
