"""Install the probes into a browser context and route their events to a timeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, ConsoleMessage, Page

from harness.targets import TargetProfile
from harness.timeline import Timeline

PROBES_JS = Path(__file__).with_name("probes.js")


def probe_config(profile: TargetProfile, seed: int | None = None) -> dict[str, Any]:
    """The part of a target profile the in-page probes need, and the page's random seed."""
    retry = profile.controls.get("retry_connection")
    return {
        "seed": None if seed is None else seed & 0xFFFFFFFF,
        "status": profile.status.model_dump(),
        "toasts": profile.toasts.model_dump(),
        "messages": profile.messages.model_dump(),
        "fallback": profile.fallback_selector,
        "guidance": profile.guidance_selector,
        "retryName": retry.name if retry else None,
    }


def install_probes(
    context: BrowserContext, timeline: Timeline, profile: TargetProfile, seed: int | None = None
) -> None:
    """Expose the emit binding, then add the probe script to every page."""

    def on_emit(_source: Any, kind: str, data: dict[str, Any], at_ms: float) -> None:
        timeline.add(str(kind), dict(data or {}), virtual_ms=float(at_ms), source="page")

    context.expose_binding("__chaosEmit", on_emit)
    script = PROBES_JS.read_text().replace("__CHAOS_CONFIG__", json.dumps(probe_config(profile, seed)))
    context.add_init_script(script)


def watch_console(page: Page, timeline: Timeline) -> None:
    """Console errors and warnings, and uncaught page errors, into the timeline."""

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            timeline.add(f"console.{message.type}", {"text": message.text[:500]}, source="page")

    def on_page_error(error: Any) -> None:
        timeline.add("console.page_error", {"message": str(error)[:500]}, source="page")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
