"""Where the project keeps the tools ``make setup`` installs."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TOOLS_BIN = PROJECT_ROOT / "tools" / "bin"
FRONTEND_DIST = PROJECT_ROOT / "reference_widget" / "frontend" / "dist"
