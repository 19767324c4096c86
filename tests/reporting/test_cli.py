"""The CLI's parsing and the pytest command line it builds (running scenarios is the e2e tests' job)."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from harness import cli
from harness.reporting.serve import report_server

COMMANDS = ["run", "validate", "schema", "list", "selftest", "report", "serve"]


def test_every_command_has_help() -> None:
    for command in COMMANDS:
        done = subprocess.run([sys.executable, "-m", "harness.cli", command, "--help"], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, command
        assert done.stdout.startswith(f"usage: chaos-harness {command}")


def test_run_builds_one_pytest_command() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["run", "scenarios/history", "-k", "503", "-n", "2", "--target", "reference",
                              "--seed", "7", "--regression", "no-backoff", "--trace", "--shard", "2/4"])
    args.pytest_args = ["--maxfail", "1"]
    argv = cli.pytest_argv(args)[3:]
    assert argv[:2] == ["scenarios/history", "-v"]
    joined = " ".join(argv)
    for part in ("--alluredir reports/allure-results", "--junitxml reports/junit.xml", "-k 503", "-n 2",
                 "--chaos-target reference", "--chaos-seed 7", "--chaos-regression no-backoff", "--tracing on",
                 "--splits 4 --group 2 --splitting-algorithm least_duration --durations-path .test_durations"):
        assert part in joined
    assert argv[-2:] == ["--maxfail", "1"]
    default = cli.pytest_argv(parser.parse_args(["run"]))
    assert "retain-on-failure" in default and "--splits" not in default


def test_arguments_after_a_double_dash_go_to_pytest(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def fake_run(args: object) -> int:
        seen.append(cli.pytest_argv(args))  # type: ignore[arg-type]
        return 0

    monkeypatch.setattr(cli, "cmd_run", fake_run)
    assert cli.main(["run", "scenarios/send", "--", "--maxfail", "1", "-x"]) == 0
    assert seen[0][3] == "scenarios/send" and seen[0][-3:] == ["--maxfail", "1", "-x"]
    with pytest.raises(SystemExit):
        cli.main(["validate", "scenarios", "--", "-x"])


def test_bad_shards_are_refused() -> None:
    for bad in ("0/2", "3/2", "two"):
        with pytest.raises(SystemExit):
            cli.build_parser().parse_args(["run", "--shard", bad])


def test_report_without_results_says_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["report", "--reports", str(tmp_path)]) == 2
    assert "run scenarios first" in capsys.readouterr().err


def test_the_report_server_serves_the_folder(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>report</p>")
    with report_server(tmp_path) as url, urllib.request.urlopen(url + "index.html", timeout=5) as response:
        assert response.read() == b"<p>report</p>"
