"""Pick a Chromium: Playwright's own build when installed, else the system's."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from harness.infra.errors import InfrastructureError

# Flags measured on these machines: without the background-networking ones,
# Chromium dials update hosts that the closed network refuses.
LAUNCH_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)

SYSTEM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_FIX = (
    "run `make setup` (as root it installs Debian's chromium), or `playwright install chromium`, "
    "or set CHAOS_CHROMIUM=/path/to/chrome"
)


def playwright_chromium() -> Path | None:
    """Playwright's bundled Chromium, if ``playwright install`` put one here."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        path = Path(p.chromium.executable_path)
    return path if path.is_file() else None


def chromium_executable() -> Path | None:
    """``None`` means: let Playwright use its own build."""
    override = os.environ.get("CHAOS_CHROMIUM")
    if override:
        if not Path(override).is_file():
            raise InfrastructureError("chromium", f"CHAOS_CHROMIUM={override} does not exist", INSTALL_FIX)
        return Path(override)
    if playwright_chromium() is not None:
        return None
    for name in SYSTEM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise InfrastructureError("chromium", "no Chromium found", INSTALL_FIX)
