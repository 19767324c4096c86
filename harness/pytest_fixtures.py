"""Overrides of pytest-playwright fixtures, registered after it so they win."""

from __future__ import annotations

from typing import Any

import pytest

from harness.browser.chromium import LAUNCH_ARGS, chromium_executable
from harness.infra.stacks import Stack, mitm_ca_spki_hash


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch args plus a Chromium this machine has."""
    args = dict(browser_type_launch_args)
    executable = chromium_executable()
    if executable is not None:
        args.setdefault("executable_path", str(executable))
    # Trust mitmproxy's CA by its public key only, for forward-proxied HTTPS targets.
    spki = mitm_ca_spki_hash()
    args["args"] = [*args.get("args", []), *LAUNCH_ARGS, f"--ignore-certificate-errors-spki-list={spki}"]
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], chaos_stack: Stack) -> dict[str, Any]:
    """pytest-playwright's context args, plus the forward proxy when the target needs one."""
    args = dict(browser_context_args)
    if chaos_stack.browser_proxy:
        # "<-loopback>": Chromium would otherwise bypass the proxy for a localhost staging URL.
        args["proxy"] = {"server": chaos_stack.browser_proxy, "bypass": "<-loopback>"}
    return args
