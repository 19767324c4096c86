"""Shared builders for the fault-engine tests: faults, flows, and a recording sink."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any, TypeVar

from mitmproxy import http
from mitmproxy.test import tflow, tutils

from harness.faults.http_addon import ChaosHttpFaults
from harness.scenario.faults import HttpFault

T = TypeVar("T")
CHAT = "/api/dynamic-ai/chat"


def http_fault(effect: dict[str, Any] | None = None, **overrides: Any) -> HttpFault:
    """A GET history fault answering 503 unless told otherwise."""
    spec: dict[str, Any] = {
        "id": "down",
        "http": {"method": "GET", "path": CHAT},
        **(effect or {"respond": {"status": 503, "json": {"ok": False, "error": "down"}}}),
    }
    spec.update(overrides)
    return HttpFault.model_validate(spec)


def flow(
    method: str = "GET",
    path: str = CHAT + "?sessionId=1",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    client: Any = None,
) -> http.HTTPFlow:
    request = tutils.treq(method=method.encode(), path=path.encode(), content=body)
    for name, value in (headers or {}).items():
        request.headers[name] = value
    made = tflow.tflow(req=request, client_conn=client)
    made.response = None
    return made


def server_answer(f: http.HTTPFlow, body: bytes, content_type: str = "application/json", status: int = 200) -> None:
    """What the server sent back, as mitmproxy hands it to ``responseheaders``."""
    f.response = http.Response.make(status, body, {"content-type": content_type})


def sse(*documents: dict[str, Any]) -> list[bytes]:
    return [f"data: {json.dumps(d)}\n\n".encode() for d in documents]


class Recorder:
    """A sink that keeps every fault event."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, kind: str, data: dict[str, Any]) -> None:
        self.events.append((kind, data))

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [data for k, data in self.events if k == kind]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def addon_with(*faults: HttpFault, seed: int = 0) -> tuple[ChaosHttpFaults, Recorder]:
    addon = ChaosHttpFaults()
    recorder = Recorder()
    addon.install(list(faults), recorder, seed=seed)
    return addon, recorder


async def through(
    addon: ChaosHttpFaults,
    f: http.HTTPFlow,
    answer: list[bytes] | bytes | None = None,
    content_type: str = "application/json",
) -> bytes:
    """Drive one flow through every hook, the server answering ``answer``; returns what the browser got."""
    await addon.request(f)
    if f.response is not None or f.error is not None:
        return f.response.content or b"" if f.response is not None else b""
    chunks = [answer] if isinstance(answer, bytes) else list(answer or [b"{}"])
    server_answer(f, b"".join(chunks), content_type)
    assert f.response is not None
    addon.responseheaders(f)
    stream = f.response.stream
    if callable(stream):
        sent = b"".join(_as_bytes(stream(c)) for c in [*chunks, b""])
        await addon.response(f)
        return sent
    await addon.response(f)
    return f.response.content or b""


def _as_bytes(out: Any) -> bytes:
    return out if isinstance(out, bytes) else b"".join(out)
