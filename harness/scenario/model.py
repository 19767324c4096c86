"""The typed scenario model. Pure data: no Playwright, mitmproxy or Allure here.

Units live in field names (``latency_ms``); TCP faults reuse Toxiproxy's toxic
names; HTTP faults are named by their effect. The parts live in their own
modules (faults, steps, expect); this one composes them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from harness.scenario.base import Strict
from harness.scenario.expect import Expect
from harness.scenario.faults import Fault, HttpFault, TcpFault
from harness.scenario.plan import PLAN_SECTIONS, section_key, section_label
from harness.scenario.steps import Step, normalize_steps


class Viewport(Strict):
    width: int = Field(ge=200, le=4000)
    height: int = Field(ge=200, le=4000)


class Given(Strict):
    """The world before the first step."""

    local_storage: dict[str, Any] = Field(
        default_factory=dict, description="values that are not strings are stored as JSON"
    )
    session_storage: dict[str, Any] = Field(default_factory=dict)
    flags: dict[str, bool] = Field(default_factory=dict, description="feature flags the target honours")
    viewport: Viewport | None = None


class Scenario(Strict):
    """One behaviour, one file."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    plan: str | None = Field(default=None, description="the plan section this traces to, e.g. '2. Fortify ...'")
    notes: str = Field(default="", description="why this scenario exists; shown in the report")
    tags: list[str] = Field(default_factory=list)
    severity: Literal["blocker", "critical", "normal", "minor", "trivial"] = "normal"
    seed: int = 0
    target: str | None = Field(
        default=None, description="run only against this target profile (default: whatever the run targets)"
    )
    clock: Literal["virtual", "real"] = Field(
        default="virtual", description="virtual: timers run on Playwright's clock, so waiting costs no real time"
    )
    given: Given = Field(default_factory=Given)
    selftest_exempt: str | None = Field(
        default=None, description="why this scenario kills no catalogued defect (selftest accepts it then)"
    )
    faults: list[Fault] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    expect: Expect = Field(default_factory=Expect)

    @field_validator("steps", mode="before")
    @classmethod
    def _bare_step_names(cls, value: Any) -> Any:
        """Allow ``- open_widget`` as shorthand for ``- open_widget: {}``."""
        return normalize_steps(value)

    @field_validator("plan")
    @classmethod
    def _known_plan_section(cls, value: str | None) -> str | None:
        if value is not None and section_key(value) is None:
            known = "; ".join(f"'{section_label(k)}'" for k in PLAN_SECTIONS)
            raise ValueError(f"'{value}' is not a section of the plan; valid: {known}")
        return value

    def fault(self, fault_id: str) -> HttpFault | TcpFault | None:
        return next((f for f in self.faults if f.id == fault_id), None)
