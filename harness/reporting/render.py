"""Render Allure results into an HTML report with the pinned Allure 3 CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from harness.infra.errors import InfrastructureError
from harness.infra.paths import PROJECT_ROOT

ALLURE_BIN = PROJECT_ROOT / "tools" / "node" / "node_modules" / ".bin" / "allure"
HISTORY_LIMIT = 50  # runs kept for trends; the history file never grows past this


def allure_binary() -> Path:
    if ALLURE_BIN.is_file():
        return ALLURE_BIN
    found = shutil.which("allure")
    if found:
        return Path(found)
    raise InfrastructureError("allure", "the Allure 3 command line is not installed", "run `make setup`")


def render_report(results_dir: Path, reports_dir: Path, *, single_file: bool = False) -> Path:
    """Render ``results_dir`` into ``reports_dir/html``; returns the index.html path."""
    results_dir, reports_dir = results_dir.resolve(), reports_dir.resolve()
    output = reports_dir / ("html-single" if single_file else "html")
    config = {
        "name": "chaos-harness",
        "output": str(output),
        "historyPath": str(reports_dir / "history.jsonl"),
        "historyLimit": HISTORY_LIMIT,
        "plugins": {
            "awesome": {"options": {"singleFile": single_file, "reportLanguage": "en", "reportName": "chaos-harness"}}
        },
    }
    reports_dir.mkdir(parents=True, exist_ok=True)
    config_path = reports_dir / "allurerc.json"
    config_path.write_text(json.dumps(config, indent=2))
    done = subprocess.run(
        [str(allure_binary()), "generate", str(results_dir), "--config", str(config_path)],
        cwd=reports_dir,
        capture_output=True,
        text=True,
        timeout=300,
    )
    index = output / "index.html"
    if done.returncode != 0 or not index.is_file():
        raise InfrastructureError("allure", f"report rendering failed:\n{done.stdout}\n{done.stderr}")
    return index
