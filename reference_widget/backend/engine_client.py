"""The API's client for the assistant engine, reached through Toxiproxy ``upstream``.

Every way the upstream can fail maps to one :class:`UpstreamError` with the
status the API answers: a timeout is 504, a refused, reset or garbled upstream
is 502. Whether that becomes an HTTP status or an in-stream ``error`` event is
the route's business (it depends on whether ``ack`` was already sent).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx


class UpstreamError(Exception):
    """The engine could not answer; ``status`` is what the API reports (502 or 504)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def map_transport_error(exc: httpx.HTTPError) -> UpstreamError:
    if isinstance(exc, httpx.TimeoutException):
        return UpstreamError(504, f"the assistant engine timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.ConnectError):
        return UpstreamError(502, "the assistant engine refused the connection")
    return UpstreamError(502, f"the assistant engine connection failed ({type(exc).__name__})")


@dataclass
class AnswerStream:
    """An open answer from the engine: tokens as they arrive, then the whole text."""

    response: httpx.Response
    metadata: dict[str, Any] = field(default_factory=dict)

    async def tokens(self) -> AsyncIterator[str]:
        """Yield tokens until the engine's ``done`` line; raise :class:`UpstreamError` otherwise."""
        done = False
        try:
            async for line in self.response.aiter_lines():
                if not line.strip():
                    continue
                try:
                    frame: Any = json.loads(line)
                except json.JSONDecodeError:
                    raise UpstreamError(502, "the assistant engine sent a malformed line") from None
                if not isinstance(frame, dict):
                    raise UpstreamError(502, "the assistant engine sent a malformed line")
                if frame.get("done"):
                    done = True
                    self.metadata = {k: v for k, v in frame.items() if k != "done"}
                    break
                token = frame.get("token")
                if not isinstance(token, str):
                    raise UpstreamError(502, "the assistant engine sent a frame without a token")
                yield token
        except httpx.HTTPError as exc:
            raise map_transport_error(exc) from exc
        finally:
            await self.response.aclose()
        if not done:
            raise UpstreamError(502, "the assistant engine closed the stream before it was done")


class EngineClient:
    """Opens streamed answers from the engine with connect and read timeouts."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float,
        connect_timeout_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        timeout = httpx.Timeout(timeout_s, connect=connect_timeout_s)
        # No keep-alive pool: a TCP fault on `upstream` must hit each send, not only
        # the first connection of a pool.
        limits = httpx.Limits(max_keepalive_connections=0)
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits, transport=transport)

    async def open(self, message: str, history: Sequence[Mapping[str, object]], language: str | None) -> AnswerStream:
        """Send the question; return once the engine answered 200 with its headers."""
        request = self._client.build_request(
            "POST", "/v1/answer", json={"message": message, "history": [dict(m) for m in history], "language": language}
        )
        try:
            response = await self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise map_transport_error(exc) from exc
        if response.status_code != 200:
            await response.aclose()
            raise UpstreamError(502, f"the assistant engine answered {response.status_code}")
        return AnswerStream(response)

    async def aclose(self) -> None:
        await self._client.aclose()
