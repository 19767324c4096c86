"""Install the probes into a browser context and route their events to a timeline."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext

from harness.timeline import Timeline

PROBES_JS = Path(__file__).with_name("probes.js")


@dataclass(frozen=True)
class ProbeConfig:
    """How to read the status from the page (from the target profile)."""

    status_selector: str = "[data-sync-status]"
    status_attribute: str | None = "data-sync-status"
    status_text_map: dict[str, str] | None = None

    def to_js(self) -> dict[str, Any]:
        return {
            "statusSelector": self.status_selector,
            "statusAttribute": self.status_attribute,
            "statusTextMap": self.status_text_map,
        }


def install_probes(context: BrowserContext, timeline: Timeline, config: ProbeConfig) -> None:
    """Expose the emit binding, then add the probe script to every page."""

    def on_emit(_source: Any, kind: str, data: dict[str, Any], at_ms: float) -> None:
        timeline.add(str(kind), dict(data or {}), virtual_ms=float(at_ms), source="page")

    context.expose_binding("__chaosEmit", on_emit)
    script = PROBES_JS.read_text().replace("__CHAOS_CONFIG__", json.dumps(config.to_js()))
    context.add_init_script(script)
