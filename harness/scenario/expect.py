"""Expectations: what the timeline must show when the scenario ends."""

from __future__ import annotations

from pydantic import Field

from harness.scenario.base import Status, Strict


class StatusExpect(Strict):
    sequence: list[Status] | None = Field(
        default=None, description="the exact status sequence, consecutive repeats collapsed"
    )
    final: Status | None = None


class Expect(Strict):
    status: StatusExpect | None = None
