"""Scenario TCP faults → Toxiproxy toxics, one small translation per toxic."""

from __future__ import annotations

from typing import Any

from harness.scenario.faults import DownToxic, LatencyToxic, ResetPeerToxic, TcpFault, TimeoutToxic


def toxic_attributes(spec: LatencyToxic | TimeoutToxic | ResetPeerToxic) -> dict[str, Any]:
    """Toxiproxy's attribute names for a scenario toxic (units move out of names)."""
    if isinstance(spec, LatencyToxic):
        return {"latency": spec.latency_ms, "jitter": spec.jitter_ms}
    if isinstance(spec, TimeoutToxic | ResetPeerToxic):
        return {"timeout": spec.timeout_ms}
    raise TypeError(f"no attributes for {type(spec).__name__}")


def apply_tcp_fault(client: Any, fault: TcpFault) -> dict[str, Any]:
    """Install one TCP fault; returns what the server stored, for the fault log."""
    spec = fault.tcp
    if isinstance(spec, DownToxic):
        client.set_enabled(spec.proxy, False)
        return {"proxy": spec.proxy, "enabled": False}
    return dict(
        client.add_toxic(
            spec.proxy,
            name=fault.id,
            type=spec.toxic,
            stream=spec.stream,
            toxicity=spec.toxicity,
            attributes=toxic_attributes(spec),
        )
    )


def remove_tcp_fault(client: Any, fault: TcpFault) -> None:
    spec = fault.tcp
    if isinstance(spec, DownToxic):
        client.set_enabled(spec.proxy, True)
    else:
        client.remove_toxic(spec.proxy, fault.id)
