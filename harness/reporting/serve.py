"""Serve a rendered report over HTTP: a multi-file Allure report will not load from ``file://``."""

from __future__ import annotations

import functools
import http.server
import threading
import webbrowser
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, without a log line per request (a report loads hundreds of files)."""

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def report_server(directory: Path, port: int = 0, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``directory`` in a background thread; yields the URL; stops on exit."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, name="report-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def serve_forever(directory: Path, port: int = 0, *, open_browser: bool = False) -> int:
    """Serve until Ctrl-C; print the URL (and open it when asked)."""
    with report_server(directory, port) as url:
        print(f"Serving {directory} at {url}  (Ctrl-C to stop)", flush=True)
        if open_browser:
            webbrowser.open(url)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0
