"""Fault specs: HTTP faults named by effect, TCP faults by Toxiproxy toxic."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from harness.scenario.base import Strict

ProxyName = Literal["edge", "upstream"]
Stream = Literal["downstream", "upstream"]


class HttpMatch(Strict):
    """Which requests a rule applies to."""

    method: str | None = None
    path: str = Field(description="exact path, or a glob with *")
    host: str | None = None


class HttpRespond(Strict):
    """Answer in place of the server."""

    status: int = Field(ge=100, le=599)
    json_body: Any = Field(default=None, alias="json")
    text: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)


class _FaultBase(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    armed: bool = Field(default=True, description="false: installed later by an `inject` step")


class HttpFault(_FaultBase):
    http: HttpMatch
    respond: HttpRespond
    times: int | None = Field(default=None, ge=1, description="fire on the first N matches only")


class _Toxic(Strict):
    proxy: ProxyName
    stream: Stream = "downstream"
    toxicity: float = Field(default=1.0, ge=0.0, le=1.0)


class LatencyToxic(_Toxic):
    toxic: Literal["latency"]
    latency_ms: int = Field(ge=0)
    jitter_ms: int = Field(default=0, ge=0)


class TimeoutToxic(_Toxic):
    toxic: Literal["timeout"]
    timeout_ms: int = Field(ge=0, description="0 holds data forever")


class ResetPeerToxic(_Toxic):
    toxic: Literal["reset_peer"]
    timeout_ms: int = Field(default=0, ge=0)


class DownToxic(Strict):
    """Not a Toxiproxy toxic: the proxy disabled, refusing connections."""

    proxy: ProxyName
    toxic: Literal["down"]


TcpToxic = Annotated[
    LatencyToxic | TimeoutToxic | ResetPeerToxic | DownToxic,
    Field(discriminator="toxic"),
]


class TcpFault(_FaultBase):
    tcp: TcpToxic


def _fault_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        if "http" in value:
            return "http"
        if "tcp" in value:
            return "tcp"
    return None


Fault = Annotated[
    Annotated[HttpFault, Tag("http")] | Annotated[TcpFault, Tag("tcp")],
    Discriminator(
        _fault_kind,
        custom_error_type="fault_kind",
        custom_error_message="a fault needs an 'http' or a 'tcp' section",
    ),
]
