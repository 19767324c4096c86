"""Scenario TCP faults → Toxiproxy toxics, one small translation per toxic.

Scenario fields are Toxiproxy's attribute names with their units spelled out
(``latency_ms`` → ``latency``, ``delay_us`` → ``delay``); ``down`` is not a
toxic but the proxy disabled.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from harness.scenario.faults import (
    BandwidthToxic,
    DownToxic,
    LatencyToxic,
    LimitDataToxic,
    ResetPeerToxic,
    SlicerToxic,
    SlowCloseToxic,
    TcpFault,
    TimeoutToxic,
)


class ToxiproxyApi(Protocol):
    """What the fault engine needs of a Toxiproxy client (see ``infra/toxiproxy_server.py``)."""

    def add_toxic(
        self,
        proxy: str,
        *,
        name: str,
        type: str,
        stream: str = ...,
        toxicity: float = ...,
        attributes: dict[str, Any] | None = ...,
    ) -> dict[str, Any]: ...

    def remove_toxic(self, proxy: str, name: str) -> None: ...

    def set_enabled(self, proxy: str, enabled: bool) -> None: ...

    def reset(self) -> None: ...


def _latency(spec: Any) -> dict[str, Any]:
    return {"latency": spec.latency_ms, "jitter": spec.jitter_ms}


def _bandwidth(spec: Any) -> dict[str, Any]:
    return {"rate": spec.rate_kbps}


def _slow_close(spec: Any) -> dict[str, Any]:
    return {"delay": spec.delay_ms}


def _timeout(spec: Any) -> dict[str, Any]:
    return {"timeout": spec.timeout_ms}


def _slicer(spec: Any) -> dict[str, Any]:
    return {"average_size": spec.average_size, "size_variation": spec.size_variation, "delay": spec.delay_us}


def _limit_data(spec: Any) -> dict[str, Any]:
    return {"bytes": spec.bytes}


ATTRIBUTES: dict[type, Callable[[Any], dict[str, Any]]] = {
    LatencyToxic: _latency,
    BandwidthToxic: _bandwidth,
    SlowCloseToxic: _slow_close,
    TimeoutToxic: _timeout,
    ResetPeerToxic: _timeout,
    SlicerToxic: _slicer,
    LimitDataToxic: _limit_data,
}


def toxic_attributes(spec: Any) -> dict[str, Any]:
    """Toxiproxy's attributes for a scenario toxic (units move out of the names)."""
    translate = ATTRIBUTES.get(type(spec))
    if translate is None:
        raise TypeError(f"no Toxiproxy attributes for {type(spec).__name__}")
    return translate(spec)


def apply_tcp_fault(client: ToxiproxyApi, fault: TcpFault) -> dict[str, Any]:
    """Install one TCP fault; returns what the server stored, for the fault log."""
    spec = fault.tcp
    if isinstance(spec, DownToxic):
        client.set_enabled(spec.proxy, False)
        return {"proxy": spec.proxy, "enabled": False}
    stored = client.add_toxic(
        spec.proxy,
        name=fault.id,
        type=spec.toxic,
        stream=spec.stream,
        toxicity=spec.toxicity,
        attributes=toxic_attributes(spec),
    )
    return {"proxy": spec.proxy, **stored}


def remove_tcp_fault(client: ToxiproxyApi, fault: TcpFault) -> None:
    spec = fault.tcp
    if isinstance(spec, DownToxic):
        client.set_enabled(spec.proxy, True)
    else:
        client.remove_toxic(spec.proxy, fault.id)
