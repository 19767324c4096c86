"""The real Toxiproxy server, one per worker, on an ephemeral API port.

``toxiproxy-python`` 0.1.1 keeps its server address in class attributes,
returns nothing from ``add_toxic``, ignores the answers to enable, disable and
reset, and sets no request timeouts; :class:`Toxiproxy` wraps it so callers get
a bound, timed, checked client (see ARCHITECTURE.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests
import toxiproxy.api as toxiproxy_api
from toxiproxy import Toxiproxy as ToxiproxyClient
from toxiproxy.api import APIConsumer
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists

from harness.infra.errors import InfrastructureError
from harness.infra.paths import TOOLS_BIN
from harness.infra.ports import LOOPBACK, free_port
from harness.infra.process import ManagedProcess, http_ready

T = TypeVar("T")
BINARY_NAMES = ("toxiproxy-server",)
REQUEST_TIMEOUT_S = 5.0
INSTALL_FIX = (
    "run `make setup` (it builds Toxiproxy with `go install`), or put the release binary "
    "from https://github.com/Shopify/toxiproxy/releases on PATH as toxiproxy-server"
)


def find_binary() -> Path:
    """``CHAOS_TOXIPROXY`` if set, else the project's pinned build, else one on PATH."""
    override = os.environ.get("CHAOS_TOXIPROXY")
    if override:
        if not Path(override).is_file():
            raise InfrastructureError("toxiproxy", f"CHAOS_TOXIPROXY={override} does not exist", INSTALL_FIX)
        return Path(override)
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


class _TimedRequests:
    """``requests`` with a default timeout, for toxiproxy-python (which passes none)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(requests, name)

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        return requests.get(url, **{"timeout": REQUEST_TIMEOUT_S, **kwargs})

    def post(self, url: str, **kwargs: Any) -> requests.Response:
        return requests.post(url, **{"timeout": REQUEST_TIMEOUT_S, **kwargs})

    def delete(self, url: str, **kwargs: Any) -> requests.Response:
        return requests.delete(url, **{"timeout": REQUEST_TIMEOUT_S, **kwargs})


# The library calls ``requests.get/post/delete`` through its own module attribute.
toxiproxy_api.requests = _TimedRequests()


class Toxiproxy:
    """A thin, checked wrapper over ``toxiproxy-python``.

    What the wrapper adds: a server address per instance (the library keeps one
    in class attributes), a timeout on every call, the created proxy's real
    port, a toxic read back after ``add_toxic`` (which returns None), enable,
    disable and reset checked against the server's state (the library ignores
    their answers), and every failure as an :class:`InfrastructureError` naming
    the call and the server's message.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._client = ToxiproxyClient()

    def _bind(self) -> None:
        # The library keeps one global server address; point it at ours each call.
        APIConsumer.host = self.host
        APIConsumer.port = self.port

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        self._bind()
        try:
            return fn()
        except (ProxyExists, NotFound, InvalidToxic) as exc:
            raise InfrastructureError("toxiproxy", f"{what}: the server said {_server_message(exc)}") from exc
        except requests.RequestException as exc:
            raise InfrastructureError("toxiproxy", f"{what}: {exc}") from exc

    def create_proxy(self, name: str, upstream: str) -> ProxyInfo:
        """Create a proxy on an ephemeral loopback port and return where it listens."""

        def create() -> Any:
            existing = self._client.get_proxy(name)
            if existing is not None:
                existing.destroy()
            return self._client.create(upstream=upstream, name=name, listen=f"{LOOPBACK}:0")

        proxy = self._call(f"could not create proxy {name!r}", create)
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

        def add() -> Any:
            target = self._proxy(proxy)
            target.add_toxic(name=name, type=type, stream=stream, toxicity=toxicity, attributes=attributes or {})
            return target.get_toxic(name)

        stored = self._call(f"could not add toxic {name!r} ({type}) to proxy {proxy!r}", add)
        if stored is None:
            raise InfrastructureError("toxiproxy", f"toxic {name!r} was not stored on proxy {proxy!r}")
        return {
            "name": stored.name,
            "type": stored.type,
            "stream": stored.stream,
            "toxicity": stored.toxicity,
            "attributes": stored.attributes,
        }

    def toxics(self, proxy: str) -> dict[str, dict[str, Any]]:
        """The toxics a proxy has now, by name."""
        found = self._call(f"could not list the toxics of {proxy!r}", lambda: self._proxy(proxy).toxics())
        return {
            name: {"type": t.type, "stream": t.stream, "toxicity": t.toxicity, "attributes": t.attributes}
            for name, t in found.items()
        }

    def remove_toxic(self, proxy: str, name: str) -> None:
        """Remove a toxic; one that is already gone is fine."""

        def remove() -> None:
            with contextlib.suppress(NotFound):
                self._proxy(proxy).destroy_toxic(name)

        self._call(f"could not remove toxic {name!r} from proxy {proxy!r}", remove)

    def set_enabled(self, proxy: str, enabled: bool) -> None:
        """Enable or disable a proxy, and check that the server did it."""

        def switch() -> None:
            target = self._proxy(proxy)
            if enabled:
                target.enable()
            else:
                target.disable()

        state = "enabled" if enabled else "disabled"
        self._call(f"could not set proxy {proxy!r} {state}", switch)
        if self.enabled(proxy) is not enabled:
            raise InfrastructureError("toxiproxy", f"proxy {proxy!r} did not become {state}")

    def enabled(self, proxy: str) -> bool:
        return bool(self._call(f"could not read proxy {proxy!r}", lambda: self._proxy(proxy).enabled))

    def listen_address(self, proxy: str) -> tuple[str, int]:
        """Where a proxy listens."""
        listen = str(self._call(f"could not read proxy {proxy!r}", lambda: self._proxy(proxy).listen))
        host, _, port = listen.rpartition(":")
        return host or LOOPBACK, int(port)

    def proxy_names(self) -> list[str]:
        return sorted(self._call("could not list proxies", lambda: self._client.proxies()))

    def reset(self) -> None:
        """Re-enable every proxy and remove every toxic: a clean slate (checked)."""
        if not self._call("could not reset", lambda: self._client.reset()):
            raise InfrastructureError("toxiproxy", "POST /reset was refused")

    def _proxy(self, name: str) -> Any:
        proxy = self._client.get_proxy(name)
        if proxy is None:
            raise InfrastructureError("toxiproxy", f"no proxy named {name!r}")
        return proxy


def _server_message(exc: Exception) -> str:
    raw = exc.args[0] if exc.args else b""
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    try:
        return str(json.loads(text).get("error", text))
    except (ValueError, AttributeError):
        return text.strip() or type(exc).__name__
