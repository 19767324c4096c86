"""Added latency per request through the harness's proxies (``make bench``, not a timed test).

The real chain in one run: the reference app, Toxiproxy ``edge`` in front of it,
and the harness's in-process mitmproxy with the fault addon loaded (one rule
installed that matches nothing, as in a scenario). mitmproxy also listens in a
second reverse mode straight to the app, so four paths are measured side by
side: direct, Toxiproxy only, mitmproxy only, mitmproxy + Toxiproxy (what the
browser uses). A client process (no GIL shared with mitmproxy) sends interleaved
GETs of the history endpoint on kept-alive connections (warm, like the page's
fetches) and on a new connection each (cold). "Added" is the median of the
per-round difference with the direct request of the same round, so drift of
the machine hits both sides.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness.faults.http_addon import ChaosHttpFaults
from harness.infra.errors import InfrastructureError
from harness.infra.mitm import MitmProxy
from harness.infra.paths import PROJECT_ROOT
from harness.infra.ports import LOOPBACK, free_port, port_is_bound
from harness.infra.topology import reference_topology
from harness.scenario.faults import HttpFault

WARM_ROUNDS = 300
COLD_ROUNDS = 100
PATHS = ("/healthz", "/api/dynamic-ai/chat?sessionId=bench-latency")  # the app's cheapest answer, and the API
ORDER = ("direct", "toxiproxy", "mitmproxy", "mitmproxy+toxiproxy")


def add_reverse_listener(mitm: MitmProxy, upstream: str) -> str:
    """Make the running master also listen as a reverse proxy to ``upstream``; returns its URL."""
    for _ in range(5):
        port = free_port()

        def add(spec: str = f"reverse:{upstream}@{port}") -> None:
            from mitmproxy import ctx

            ctx.options.update(mode=[*ctx.options.mode, spec])  # type: ignore[no-untyped-call]

        mitm.call(add)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if port_is_bound(port):
                return f"http://{LOOPBACK}:{port}"
            time.sleep(0.02)
    raise InfrastructureError("mitmproxy", f"could not add a reverse listener to {upstream}")


def measure(path: str, targets: dict[str, str]) -> dict[str, dict[str, list[float]]]:
    argv = [sys.executable, "-m", "bench._latency_client", path, str(WARM_ROUNDS), str(COLD_ROUNDS)]
    argv += [f"{name}={url}" for name, url in targets.items()]
    done = subprocess.run(argv, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise InfrastructureError("bench client", done.stderr.strip()[-2000:] or f"exit {done.returncode}")
    result: dict[str, dict[str, list[float]]] = json.loads(done.stdout)
    return result


def added(samples: list[float], direct: list[float]) -> float:
    return statistics.median(a - b for a, b in zip(samples, direct, strict=True))


def report(path: str, result: dict[str, dict[str, list[float]]]) -> list[str]:
    lines = [
        f"GET {path}: median ms per request, {WARM_ROUNDS} warm (kept-alive) and {COLD_ROUNDS} cold "
        "(new connection) requests per path, interleaved",
        f"  {'path':<22}{'warm':>8}{'added':>9}{'cold':>9}{'added':>9}",
    ]
    direct = result["direct"]
    for name in ORDER:
        row = result[name]
        cells = [f"{statistics.median(row['warm']):8.2f}"]
        cells.append(f"{'':>9}" if name == "direct" else f"{added(row['warm'], direct['warm']):+9.2f}")
        cells.append(f"{statistics.median(row['cold']):9.2f}")
        cells.append(f"{'':>9}" if name == "direct" else f"{added(row['cold'], direct['cold']):+9.2f}")
        lines.append(f"  {name:<22}{''.join(cells)}")
    return lines


def main() -> dict[str, Any]:
    addon = ChaosHttpFaults()
    nothing = HttpFault.model_validate({"id": "bench", "http": {"path": "/never"}, "respond": {"status": 500}})
    with tempfile.TemporaryDirectory(prefix="chaos-bench-") as work, reference_topology([addon], Path(work)) as topo:
        addon.install([nothing], None)
        edge_host, edge_port = topo.toxiproxy.listen_address("edge")
        targets = {
            "direct": topo.app_url,
            "toxiproxy": f"http://{edge_host}:{edge_port}",
            "mitmproxy": add_reverse_listener(topo.mitm, topo.app_url),
            "mitmproxy+toxiproxy": topo.base_url,
        }
        results = {path: measure(path, targets) for path in PATHS}
        addon.clear()
    for path, result in results.items():
        for line in report(path, result):
            print(line)
    return {
        path: {
            name: {
                "warm_added_ms": added(r[name]["warm"], r["direct"]["warm"]),
                "cold_added_ms": added(r[name]["cold"], r["direct"]["cold"]),
            }
            for name in ORDER
        }
        for path, r in results.items()
    }


if __name__ == "__main__":
    main()
