"""A compact, structured record of one scenario run, carried in its Allure result.

The Markdown notebook and the CLI's summary are written from these records, read
back from the Allure results directory; so they also work on results merged from
several CI shards, with nothing but the results to go on.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

RECORD_NAME = "chaos-harness record"


@dataclass
class FailureRecord:
    expectation: str
    expected: str
    actual: str
    text: str


@dataclass
class ScenarioRecord:
    id: str
    title: str
    file: str
    plan: str | None
    verdict: str
    seed: int
    target: str
    browser: str
    replay: str
    duration_ms: float
    faults_fired: int = 0
    failures: list[FailureRecord] = field(default_factory=list)
    error: str | None = None  # what broke, for a verdict that is not an expectation
    excerpt: str = ""  # the timeline around the first failure

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScenarioRecord:
        failures = [FailureRecord(**f) for f in data.get("failures", [])]
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "failures"}
        return cls(**known, failures=failures)
