"""Take the README's screenshot from a real run: the widget in ``error`` with the fallback.

    .venv/bin/python -m reference_widget.screenshot docs/images/widget-error.png

It starts the harness's own reference topology, has one exchange with the
assistant, disables the Toxiproxy proxy ``upstream`` (the engine is gone), asks
again, and waits in real time for the backoff to run out.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from harness.browser.chromium import LAUNCH_ARGS, chromium_executable
from harness.infra.topology import reference_topology

INPUT = "Ask the Dynamic Capital assistant a question"


def take(out: Path) -> None:
    """Drive the widget into ``error`` after a send failure and save a PNG to ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    executable = chromium_executable()
    # Playwright first: mitmproxy's event loop must not be the one it finds.
    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="widget-shot-") as tmp:
        with reference_topology([], Path(tmp)) as topo:
            browser = p.chromium.launch(
                executable_path=str(executable) if executable else None, args=list(LAUNCH_ARGS)
            )
            try:
                page = browser.new_page(viewport={"width": 980, "height": 720}, device_scale_factor=1)
                page.goto(topo.base_url + "/")
                page.get_by_role("button", name="Open Dynamic Capital assistant").click()
                page.wait_for_selector("[data-sync-status=connected]")
                page.get_by_role("textbox", name=INPUT).fill("What are your fees?")
                page.get_by_role("button", name="Send").click()
                page.wait_for_selector("[aria-label=Conversation] [data-role=assistant]")
                topo.toxiproxy.set_enabled("upstream", False)
                page.get_by_role("textbox", name=INPUT).fill("How long does a withdrawal take?")
                page.get_by_role("button", name="Send").click()
                page.wait_for_selector("[data-sync-status=error]", timeout=20_000)
                page.get_by_role("button", name="Retry connection").wait_for()
                page.wait_for_selector("[data-fallback]")
                page.screenshot(path=str(out))
            finally:
                browser.close()


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/images/widget-error.png")
    take(out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
