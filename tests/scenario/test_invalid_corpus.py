"""Every bad scenario file gets the clear error of the scenario language, never a traceback.

Each ``invalid/NAME.yaml`` has its expected message in ``invalid/NAME.expected``
(a snapshot: regenerate with ``CHAOS_UPDATE_SNAPSHOTS=1`` and review the diff).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.scenario import ScenarioError, load_scenario

CORPUS = Path(__file__).with_name("invalid")
FILES = sorted(CORPUS.glob("*.yaml"))


def render(file: Path) -> str:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    return caught.value.render().replace(str(CORPUS), "invalid") + "\n"


@pytest.mark.parametrize("file", FILES, ids=[f.stem for f in FILES])
def test_invalid_file_gives_its_expected_message(file: Path) -> None:
    expected_file = file.with_suffix(".expected")
    actual = render(file)
    if os.environ.get("CHAOS_UPDATE_SNAPSHOTS"):
        expected_file.write_text(actual)
    assert actual == expected_file.read_text()


def test_corpus_covers_the_bad_inputs_we_promise() -> None:
    names = {f.stem for f in FILES}
    promised = {
        "empty",
        "not-yaml",
        "a-list",
        "a-string",
        "deep",
        "alias-bomb",
        "python-tag",
        "duplicate-keys",
        "wrong-types",
        "typos",
        "missing-fields",
    }
    assert promised <= names


def test_cli_validate_exits_2_without_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "validate", *map(str, FILES)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert f"0 valid, {len(FILES)} invalid" in done.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (bytes(range(256)), "file is not UTF-8 text (binary?)"),
        (
            b"id: huge\ntitle: t\nsteps: [open_widget]\nnotes: '" + b"x" * 1_100_000 + b"'\n",
            "file is larger than 1000 kB",
        ),
    ],
    ids=["binary", "huge"],
)
def test_generated_bad_files(tmp_path: Path, content: bytes, expected: str) -> None:
    file = tmp_path / "bad.yaml"
    file.write_bytes(content)
    with pytest.raises(ScenarioError, match=re.escape(expected)):
        load_scenario(file)
