"""Overrides of pytest-playwright fixtures, registered after it so they win."""

from __future__ import annotations

from typing import Any

import pytest

from harness.browser.chromium import LAUNCH_ARGS, chromium_executable


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch args plus a Chromium this machine has."""
    args = dict(browser_type_launch_args)
    executable = chromium_executable()
    if executable is not None:
        args.setdefault("executable_path", str(executable))
    args["args"] = [*args.get("args", []), *LAUNCH_ARGS]
    return args
