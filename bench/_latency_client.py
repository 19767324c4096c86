"""The client half of ``proxy_latency``: a separate process, so it never competes for the GIL
with the in-process mitmproxy it measures. Prints one JSON object of per-request milliseconds."""

from __future__ import annotations

import http.client
import json
import sys
import time
from urllib.parse import urlsplit


def connect(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)


def timed_get(conn: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}")
    return (time.perf_counter() - started) * 1000


def main(argv: list[str]) -> int:
    """argv: path, warm rounds, cold rounds, then name=url pairs."""
    path, warm_rounds, cold_rounds = argv[0], int(argv[1]), int(argv[2])
    targets = dict(pair.split("=", 1) for pair in argv[3:])
    names = list(targets)
    result: dict[str, dict[str, list[float]]] = {name: {"warm": [], "cold": []} for name in names}
    warm = {name: connect(url) for name, url in targets.items()}
    for name in names:  # open and warm every kept-alive connection first
        for _ in range(5):
            timed_get(warm[name], path)
    for i in range(warm_rounds):
        order = names[i % len(names) :] + names[: i % len(names)]  # rotate, so no path always goes first
        for name in order:
            result[name]["warm"].append(timed_get(warm[name], path))
    for i in range(cold_rounds):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            conn = connect(targets[name])
            try:
                result[name]["cold"].append(timed_get(conn, path))
            finally:
                conn.close()
    for conn in warm.values():
        conn.close()
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
