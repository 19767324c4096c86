"""The scenario JSON Schema, for editor completion (``chaos-harness schema``).

Generated from the pydantic model, then widened where the YAML has shorthands
the model accepts before validation (bare step names, ``send: "text"``).
"""

from __future__ import annotations

from typing import Any

from harness.scenario.model import Scenario
from harness.scenario.steps import BARE_STEPS

SHORTHANDS = {"Send": ("send", "string"), "Advance": ("advance", "integer"), "Screenshot": ("screenshot", "string")}


def scenario_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "chaos-harness scenario"
    steps = schema["properties"]["steps"]
    steps["items"] = {"anyOf": [steps["items"], {"enum": sorted(BARE_STEPS)}]}
    for name, (field, kind) in SHORTHANDS.items():
        model = schema.get("$defs", {}).get(name)
        if model and field in model.get("properties", {}):
            model["properties"][field] = {"anyOf": [model["properties"][field], {"type": kind}]}
    return schema
