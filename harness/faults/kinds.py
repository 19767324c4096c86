"""The fault kinds a scenario uses, as report labels: ``http:<kind>`` and ``tcp:<toxic>``."""

from __future__ import annotations

from harness.scenario.faults import HttpFault, TcpFault
from harness.scenario.model import Scenario


def scenario_faults(scenario: Scenario) -> list[HttpFault | TcpFault]:
    """Every fault a scenario declares: in ``faults`` and in ``add_fault`` steps."""
    added = [getattr(step, "add_fault", None) for step in scenario.steps]
    return [*scenario.faults, *(f for f in added if isinstance(f, HttpFault | TcpFault))]


def fault_kinds(scenario: Scenario) -> list[str]:
    """Sorted, without duplicates; one Allure ``fault`` label each."""
    return sorted({fault.kind for fault in scenario_faults(scenario)})
