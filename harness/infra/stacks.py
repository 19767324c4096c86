"""Reach the app a target profile names, in one of three ways.

- ``reference``: start the reference stack (app, engine, Toxiproxy ``edge`` and
  ``upstream``) behind mitmproxy in reverse mode.
- ``reverse``: a running dev server; mitmproxy reverse-proxies to it, with a
  Toxiproxy ``edge`` in between unless the profile says not to.
- ``forward``: an HTTPS staging URL; the browser context uses mitmproxy as its
  forward proxy and trusts mitmproxy's CA (pinned by its public key, so no other
  certificate error is ignored). Toxiproxy is not in this path.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import tempfile
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from harness.infra.errors import InfrastructureError
from harness.infra.mitm import MitmProxy
from harness.infra.process import ManagedProcess
from harness.infra.toxiproxy_server import Toxiproxy, ToxiproxyServer
from harness.targets.profile import ForwardProxy, ReverseProxy, StartReference, TargetProfile

MITM_CONFDIR = Path.home() / ".mitmproxy"


@dataclass
class Stack:
    """What a run needs to know about the chain in front of the app."""

    base_url: str  # what the browser opens
    mitm: MitmProxy
    toxiproxy: Toxiproxy | None
    proxies: tuple[str, ...]  # Toxiproxy proxy names on this path
    processes: dict[str, ManagedProcess] = field(default_factory=dict)
    browser_proxy: str | None = None  # forward mode: the context's proxy server
    work_dir: Path | None = None
    app_url: str | None = None

    def reset_faults(self) -> None:
        if self.toxiproxy is not None:
            self.toxiproxy.reset()

    def health(self) -> list[str]:
        """What is wrong with the harness's own processes (empty when all is well).

        Checked after every scenario: a widget verdict reached while a proxy or
        server of the harness was dead would be a lie.
        """
        problems = [
            f"{name} exited with code {proc.proc.returncode if proc.proc else '?'}"
            for name, proc in self.processes.items()
            if not proc.alive()
        ]
        if not self.mitm.alive():
            problems.append("mitmproxy's thread has stopped")
        if self.toxiproxy is not None and "toxiproxy" not in {p.split(" ")[0] for p in problems}:
            try:
                requests.get(f"http://{self.toxiproxy.host}:{self.toxiproxy.port}/version", timeout=5)
            except requests.RequestException as exc:
                problems.append(f"toxiproxy's API does not answer: {exc}")
        return problems


@contextlib.contextmanager
def start_stack(
    profile: TargetProfile, addons: Sequence[Any], work_dir: Path | None = None, *, regression: str | None = None
) -> Iterator[Stack]:
    """Start whatever the profile's ``app`` needs; stop all of it on exit.

    ``regression`` switches on a defect of the reference widget's catalogue
    (``chaos-harness selftest``); other targets have no catalogue.
    """
    if regression and not isinstance(profile.app, StartReference):
        raise InfrastructureError("target", f"'{profile.name}' is not the reference stack: it has no regressions")
    work = work_dir or Path(tempfile.mkdtemp(prefix="chaos-harness-"))
    work.mkdir(parents=True, exist_ok=True)
    app = profile.app
    if isinstance(app, ReverseProxy):
        with _reverse(app, addons, work) as stack:
            yield stack
    elif isinstance(app, ForwardProxy):
        with _forward(app, addons, work) as stack:
            yield stack
    else:
        from harness.infra.topology import reference_topology

        extra: dict[str, Any] = {"regression": regression} if regression else {}
        with reference_topology(addons, work, **extra) as topo:
            names = _proxy_names(topo.toxiproxy)
            yield Stack(base_url=topo.base_url, mitm=topo.mitm, toxiproxy=topo.toxiproxy, proxies=names,
                        processes=dict(topo.processes), work_dir=work, app_url=topo.app_url)


@contextlib.contextmanager
def _reverse(app: ReverseProxy, addons: Sequence[Any], work: Path) -> Iterator[Stack]:
    target = urllib.parse.urlsplit(app.url)
    port = target.port or (443 if target.scheme == "https" else 80)
    with contextlib.ExitStack() as stack:
        toxiproxy: Toxiproxy | None = None
        processes: dict[str, ManagedProcess] = {}
        upstream = f"{target.scheme}://{target.hostname}:{port}"
        if app.toxiproxy:
            server = ToxiproxyServer(log_dir=work).start()
            stack.callback(server.stop)
            toxiproxy = server.client()
            edge = toxiproxy.create_proxy("edge", f"{target.hostname}:{port}")
            upstream = f"{target.scheme}://{edge.listen_host}:{edge.listen_port}"
            assert server.process is not None
            processes["toxiproxy"] = server.process
        mitm = MitmProxy(f"reverse:{upstream}", addons).start()
        stack.callback(mitm.stop)
        yield Stack(base_url=mitm.url, mitm=mitm, toxiproxy=toxiproxy,
                    proxies=("edge",) if toxiproxy else (), processes=processes, work_dir=work, app_url=app.url)


@contextlib.contextmanager
def _forward(app: ForwardProxy, addons: Sequence[Any], work: Path) -> Iterator[Stack]:
    extra = {"ssl_insecure": True} if app.insecure_upstream else {}
    mitm = MitmProxy("regular", addons, extra_options=extra).start()
    try:
        yield Stack(base_url=app.url.rstrip("/"), mitm=mitm, toxiproxy=None, proxies=(),
                    browser_proxy=mitm.url, work_dir=work, app_url=app.url)
    finally:
        mitm.stop()


def _proxy_names(toxiproxy: Toxiproxy) -> tuple[str, ...]:
    try:
        listing = requests.get(f"http://{toxiproxy.host}:{toxiproxy.port}/proxies", timeout=5).json()
    except (requests.RequestException, ValueError) as exc:
        raise InfrastructureError("toxiproxy", f"cannot list proxies: {exc}") from exc
    return tuple(sorted(listing))


def mitm_ca_spki_hash(confdir: Path = MITM_CONFDIR) -> str:
    """The base64 SHA-256 of mitmproxy's CA public key (created if missing).

    Chromium's ``--ignore-certificate-errors-spki-list`` trusts exactly this key,
    so the browser accepts mitmproxy's certificates and nothing else unusual.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    from mitmproxy import certs

    confdir.mkdir(parents=True, exist_ok=True)
    try:
        certs.CertStore.from_store(str(confdir), "mitmproxy", 2048)
        pem = (confdir / "mitmproxy-ca-cert.pem").read_bytes()
    except OSError as exc:
        raise InfrastructureError("mitmproxy", f"cannot create or read its CA in {confdir}: {exc}") from exc
    cert = x509.load_pem_x509_certificate(pem)
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode()
