"""The three ways to reach an app, each proven with a real browser and real proxies.

A plain uvicorn running the reference app stands in for a team's dev server
(reverse mode) and, over HTTPS with a self-signed certificate, for a staging URL
(forward mode, with mitmproxy's CA pinned in the browser).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from harness.browser.probes import install_probes
from harness.faults.driver import FaultDriver
from harness.faults.http_addon import ChaosHttpFaults
from harness.infra.paths import FRONTEND_DIST, PROJECT_ROOT
from harness.infra.ports import listening_socket
from harness.infra.process import ManagedProcess, http_ready
from harness.infra.stacks import Stack, start_stack
from harness.runner import Run
from harness.scenario.loader import parse_scenario
from harness.targets import TargetProfile, resolve_target
from harness.targets.profile import ForwardProxy, ReverseProxy
from harness.timeline import Timeline
from harness.timeline.flow_recorder import FlowRecorder

pytestmark = pytest.mark.e2e

HISTORY_503 = """
id: history-503-any-target
title: History 503 puts the badge in error, whatever the way in
faults:
  - id: down
    http: {method: GET, path: /api/dynamic-ai/chat}
    respond: {status: 503, json: {ok: false, error: down}}
steps:
  - open_widget
  - wait_for: {status: error}
expect:
  status: {sequence: [idle, syncing, error]}
"""


def self_signed(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = tmp / "key.pem", tmp / "cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.fixture
def dev_server(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The reference app on plain uvicorn, http or https (``indirect`` param)."""
    tls = getattr(request, "param", "http") == "https"
    sock = listening_socket()
    port = sock.getsockname()[1]
    argv = [sys.executable, "-m", "uvicorn", "reference_widget.backend.app:create_app", "--factory",
            "--fd", str(sock.fileno()), "--log-level", "warning"]
    scheme = "http"
    if tls:
        key, cert = self_signed(tmp_path)
        argv += ["--ssl-keyfile", str(key), "--ssl-certfile", str(cert)]
        scheme = "https"
    env = {**os.environ, "CHAT_DB_PATH": str(tmp_path / "db.sqlite3"), "CHAT_STATIC_DIR": str(FRONTEND_DIST)}
    ready = http_ready(f"http://127.0.0.1:{port}/healthz") if not tls else _tls_ready(port)
    server = ManagedProcess("dev-server", argv, ready=ready, env=env, cwd=PROJECT_ROOT,
                            pass_fds=[sock.fileno()], log_path=tmp_path / "dev.log")
    with server:
        sock.close()
        yield f"{scheme}://127.0.0.1:{port}"


def _tls_ready(port: int) -> Any:
    import ssl
    import urllib.request

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE

    def probe() -> bool:
        try:
            with urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz", timeout=1, context=context):
                return True
        except OSError:
            return False

    return probe


def run_history_503(browser: Any, profile: TargetProfile, stack: Stack, addon: ChaosHttpFaults,
                    tmp_path: Path) -> Timeline:
    scenario = parse_scenario(HISTORY_503)
    timeline = Timeline()
    context_args: dict[str, Any] = {}
    if stack.browser_proxy:
        # Chromium skips proxies for loopback unless told not to; the staging stand-in is on loopback.
        context_args["proxy"] = {"server": stack.browser_proxy, "bypass": "<-loopback>"}
    context = browser.new_context(**context_args)
    try:
        install_probes(context, timeline, profile)
        faults = FaultDriver(addon, stack.toxiproxy, timeline)
        Run(scenario, profile, context, stack.base_url, faults, timeline, tmp_path).execute()
    finally:
        context.close()
    return timeline


def test_reverse_mode_reaches_a_running_dev_server_through_toxiproxy(
    browser: Any, dev_server: str, tmp_path: Path
) -> None:
    profile = resolve_target("reference").model_copy(update={"app": ReverseProxy(url=dev_server)})
    addon = ChaosHttpFaults()
    with start_stack(profile, [FlowRecorder(), addon], tmp_path) as stack:
        assert stack.proxies == ("edge",)
        timeline = run_history_503(browser, profile, stack, addon, tmp_path)
    assert timeline.statuses() == ["idle", "syncing", "error"]
    assert any(e.data.get("fault") == "down" for e in timeline.events("fault.fired"))


@pytest.mark.parametrize("dev_server", ["https"], indirect=True)
def test_forward_mode_proxies_an_https_url_with_mitmproxys_ca_trusted(
    browser: Any, dev_server: str, tmp_path: Path
) -> None:
    profile = resolve_target("reference").model_copy(
        update={"app": ForwardProxy(url=dev_server, insecure_upstream=True)}
    )
    addon = ChaosHttpFaults()
    with start_stack(profile, [FlowRecorder(), addon], tmp_path) as stack:
        assert stack.browser_proxy and stack.toxiproxy is None
        timeline = run_history_503(browser, profile, stack, addon, tmp_path)
    assert timeline.statuses() == ["idle", "syncing", "error"]
