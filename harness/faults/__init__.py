"""Fault engines: the mitmproxy addon (HTTP) and Toxiproxy (TCP), on one schedule model."""

from harness.faults.kinds import fault_kinds, scenario_faults

__all__ = ["fault_kinds", "scenario_faults"]
