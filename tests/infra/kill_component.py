"""A test-only pytest plugin: kill one harness component just before a scenario runs.

``CHAOS_KILL`` names it: ``app``, ``engine``, ``toxiproxy`` (processes of the
stack) or ``mitmproxy`` (the in-process proxy).
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    target = os.environ.get("CHAOS_KILL")
    stack = getattr(item, "funcargs", {}).get("chaos_stack")
    if target and stack is not None:
        if target == "mitmproxy":
            stack.mitm.stop()
        else:
            process = stack.processes[target].proc
            process.kill()
            process.wait(timeout=10)
    return (yield)
