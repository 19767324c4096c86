"""Nothing the harness started outlives it: normal end, a failure, Ctrl-C, SIGTERM.

Each case runs the scenario suite's smallest scenario in a pytest subprocess
marked by an environment variable, which every child (uvicorn, Toxiproxy, the
Playwright driver, Chromium) inherits; afterwards no process may carry it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from harness.infra.paths import PROJECT_ROOT

pytestmark = pytest.mark.e2e

SCENARIO = "scenarios/baseline/mount-fresh.yaml"


def marked(mark: str) -> list[str]:
    """Command lines of live processes whose environment carries the mark."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if f"CHAOS_EXIT_MARK={mark}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                state = (proc / "stat").read_text().split(")")[-1].split()[0]
                if state != "Z":
                    found.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:120])
        except OSError:
            continue
    return found


def start(mark: str, tmp_path: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CHAOS_EXIT_MARK": mark}
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", SCENARIO, "-q", "-p", "no:cacheprovider", "--output", str(tmp_path), *extra],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        # Python's default SIGINT handler, not the one a non-interactive shell may leave ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def wait_until_stack_is_up(mark: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any("chrom" in c for c in marked(mark)):  # the browser starts after the stack
            return
        time.sleep(0.1)
    pytest.fail("the stack never came up")


def assert_nothing_left(mark: str) -> None:
    deadline = time.monotonic() + 10
    while marked(mark) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert marked(mark) == []


@pytest.mark.parametrize("outcome", ["pass", "fail"])
def test_normal_end_and_failure_leave_nothing(tmp_path: Path, outcome: str) -> None:
    mark = uuid.uuid4().hex
    extra = ("--chaos-regression", "idle-connected-same-badge") if outcome == "fail" else ()
    proc = start(mark, tmp_path, *extra)
    assert proc.wait(timeout=300) == (0 if outcome == "pass" else 1)
    assert_nothing_left(mark)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_run_leaves_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    mark = uuid.uuid4().hex
    proc = start(mark, tmp_path)
    wait_until_stack_is_up(mark)
    proc.send_signal(sig)
    proc.wait(timeout=60)
    assert_nothing_left(mark)


def test_scenario_timeout_is_broken_and_leaves_nothing(tmp_path: Path) -> None:
    """A scenario past its wall-clock bound is broken infrastructure, torn down like any other end."""
    mark = uuid.uuid4().hex
    env = {**os.environ, "CHAOS_EXIT_MARK": mark}
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "run", "scenarios/baseline/send-streamed-answer.yaml",
         "--timeout", "0.5", "--no-report", "--reports", str(tmp_path / "reports")],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert "exceeded its wall-clock bound of 0.5 s" in done.stdout
    assert "broken infrastructure" in done.stdout
    assert_nothing_left(mark)


@pytest.mark.parametrize(("sig", "workers"), [(signal.SIGINT, []), (signal.SIGTERM, ["-n", "2"])],
                         ids=["ctrl-c-serial", "sigterm-two-workers"])
def test_interrupted_cli_run_keeps_its_results_and_renders_them(
    tmp_path: Path, sig: signal.Signals, workers: list[str]
) -> None:
    """Ctrl-C (or SIGTERM) mid-suite: finished results are written and rendered, exit 130, nothing left."""
    mark = uuid.uuid4().hex
    reports = tmp_path / "reports"
    env = {**os.environ, "CHAOS_EXIT_MARK": mark}
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "run", "scenarios/baseline", "--reports", str(reports), *workers,
         "--", "--output", str(tmp_path / "test-results")],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    results = reports / "allure-results"
    deadline = time.monotonic() + 240
    while not list(results.glob("*-result.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(results.glob("*-result.json")), "no scenario finished"
    proc.send_signal(sig)
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 130, output
    assert "interrupted" in output
    assert "broken infrastructure" not in output  # cut short is not a harness failure either
    print(output)
    assert 1 <= len(list(results.glob("*-result.json"))) <= 4  # baseline/ holds four scenarios
    assert (reports / "html" / "index.html").is_file(), output
    assert_nothing_left(mark)
