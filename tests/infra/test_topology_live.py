"""The real chain (mitmproxy → Toxiproxy → app) serves, injects, and leaves nothing behind."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from harness.faults.http_addon import ChaosHttpFaults
from harness.infra.ports import port_is_bound
from harness.infra.topology import reference_topology
from harness.scenario.faults import HttpFault

pytestmark = pytest.mark.e2e


def get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_chain_serves_injects_and_tears_down(tmp_path: Path) -> None:
    addon = ChaosHttpFaults()
    with reference_topology([addon], tmp_path) as topo:
        ports = [topo.mitm.port, int(topo.app_url.rsplit(":", 1)[1]), topo.toxiproxy.port]
        status, headers, body = get(topo.base_url + "/api/dynamic-ai/chat?sessionId=s1")
        assert status == 200 and json.loads(body) == {"ok": True, "messages": []}
        assert headers.get("x-request-id")

        addon.install(
            [
                HttpFault.model_validate(
                    {
                        "id": "down",
                        "http": {"path": "/api/dynamic-ai/chat"},
                        "respond": {"status": 503, "json": {"ok": False}},
                    }
                )
            ],
            None,
        )
        assert get(topo.base_url + "/api/dynamic-ai/chat?sessionId=s1")[0] == 503
        addon.clear()

        # With the edge proxy down the browser sees what it would without mitmproxy:
        # a connection closed with no response (a network error), not a 502.
        topo.toxiproxy.set_enabled("edge", False)
        with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
            get(topo.base_url + "/api/dynamic-ai/chat?sessionId=s1")
        topo.reset_faults()
        assert get(topo.base_url + "/api/dynamic-ai/chat?sessionId=s1")[0] == 200
        processes = list(topo.processes.values())
    assert not any(p.alive() for p in processes)
    assert not any(port_is_bound(p) for p in ports)
