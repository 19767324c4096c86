"""The typed scenario model. Pure data: no Playwright, mitmproxy or Allure here.

Units live in field names (``latency_ms``); TCP faults reuse Toxiproxy's toxic
names; HTTP faults are named by their effect. The parts live in their own
modules (faults, steps, expect); this one composes them.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from harness.scenario.base import Strict
from harness.scenario.expect import Expect
from harness.scenario.faults import Fault, HttpFault, TcpFault
from harness.scenario.steps import Step


class Scenario(Strict):
    """One behaviour, one file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    plan: str | None = Field(default=None, description="the plan section this traces to")
    tags: list[str] = Field(default_factory=list)
    seed: int = 0
    faults: list[Fault] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)

    @field_validator("steps", mode="before")
    @classmethod
    def _bare_step_names(cls, value: Any) -> Any:
        """Allow ``- open_widget`` as shorthand for ``- open_widget: {}``."""
        if isinstance(value, list):
            return [{item: {}} if isinstance(item, str) else item for item in value]
        return value

    def fault(self, fault_id: str) -> HttpFault | TcpFault | None:
        return next((f for f in self.faults if f.id == fault_id), None)
