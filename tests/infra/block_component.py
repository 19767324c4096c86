"""A test-only pytest plugin: keep one harness component from starting.

``CHAOS_BLOCK`` names how: ``toxiproxy-port`` (every port Toxiproxy is offered
is already taken by a listener this plugin holds), ``app`` or
``engine`` (its uvicorn is pointed at a module that does not exist, as a broken
build would be: the process exits at start-up).
"""

from __future__ import annotations

import os
import socket
from typing import Any

import pytest

_held: list[socket.socket] = []


def pytest_configure(config: pytest.Config) -> None:
    how = os.environ.get("CHAOS_BLOCK")
    if how == "toxiproxy-port":
        from harness.infra import toxiproxy_server

        taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        _held.append(taken)
        port = int(taken.getsockname()[1])
        setattr(toxiproxy_server, "free_port", lambda: port)  # noqa: B010 - the module's own import
    elif how in ("app", "engine"):
        from harness.infra import app_server

        real = app_server.start_uvicorn

        def broken(name: str, factory: str, **kwargs: Any) -> Any:
            return real(name, "reference_widget.missing_module:create_app" if name == how else factory, **kwargs)

        setattr(app_server, "start_uvicorn", broken)  # noqa: B010
