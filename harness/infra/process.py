"""Child processes with a readiness check and a teardown that always runs.

Each child gets its own process group (so its own children die with it) and, on
Linux, a parent-death signal, so even a SIGKILLed harness leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from harness.infra.errors import InfrastructureError

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it when the harness dies."""
    os.setsid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def http_ready(url: str) -> Callable[[], bool]:
    """A readiness probe: the URL answers with any HTTP status below 500."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return int(response.status) < 500
        except urllib.error.HTTPError as exc:
            return exc.code < 500
        except (OSError, ValueError):
            return False

    return probe


class ManagedProcess:
    """A subprocess that is ready before use and gone after ``stop()``."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        ready: Callable[[], bool],
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        pass_fds: Sequence[int] = (),
        log_path: Path | None = None,
        fix: str = "",
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.ready = ready
        self.env = env
        self.cwd = cwd
        self.pass_fds = tuple(pass_fds)
        self.log_path = log_path
        self.fix = fix
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 20.0) -> ManagedProcess:
        """Start the process and wait until its readiness probe passes."""
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=self.pass_fds,
                preexec_fn=die_with_parent,  # noqa: PLW1509
            )
        except OSError as exc:
            raise InfrastructureError(self.name, f"could not start {self.argv[0]}: {exc}", self.fix) from exc
        finally:
            if self.log_path:
                log.close()  # type: ignore[union-attr]
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log_tail()
                self.stop()
                raise InfrastructureError(
                    self.name,
                    f"exited with code {self.proc.returncode} before it was ready{tail}",
                    self.fix,
                )
            if self.ready():
                return self
            time.sleep(0.02)
        self.stop()
        raise InfrastructureError(self.name, f"not ready after {timeout_s:.0f}s{self.log_tail()}", self.fix)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 15) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace").strip().splitlines()[-lines:]
        return ("\n  last output:\n    " + "\n    ".join(text)) if text else ""

    def stop(self, grace_s: float = 5.0) -> None:
        """Terminate the whole process group; kill it if it lingers."""
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=grace_s)

    def __enter__(self) -> ManagedProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
