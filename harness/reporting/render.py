"""Render Allure results into an HTML report with the pinned Allure 3 CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from harness.infra.errors import InfrastructureError
from harness.infra.paths import PROJECT_ROOT
from harness.reporting.categories import allure_categories

ALLURE_BIN = PROJECT_ROOT / "tools" / "node" / "node_modules" / ".bin" / "allure"
HISTORY_LIMIT = 50  # runs kept for trends; the history file never grows past this
GROUP_BY = ["epic", "feature"]  # the tree: plan section → area (the scenario's folder) → scenario


def allure_binary() -> Path:
    if ALLURE_BIN.is_file():
        return ALLURE_BIN
    found = shutil.which("allure")
    if found:
        return Path(found)
    raise InfrastructureError("allure", "the Allure 3 command line is not installed", "run `make setup`")


def allure_config(output: Path, history: Path, *, single_file: bool, append_history: bool,
                  history_limit: int = HISTORY_LIMIT) -> dict[str, Any]:
    """An Allure 3 config: history capped at ``history_limit`` runs, our categories, the plan as the tree."""
    return {
        "name": "chaos-harness",
        "output": str(output),
        "historyPath": str(history),
        "historyLimit": history_limit,
        "appendHistory": append_history,
        "categories": {"rules": allure_categories()},
        "plugins": {
            "awesome": {"options": {"singleFile": single_file, "reportLanguage": "en", "reportName": "chaos-harness",
                                    "groupBy": GROUP_BY}}
        },
    }


def render_report(
    results_dir: Path,
    reports_dir: Path,
    *,
    single_file: bool = False,
    append_history: bool = True,
    history_limit: int = HISTORY_LIMIT,
) -> Path:
    """Render ``results_dir`` into ``reports_dir/html`` (or ``html-single``); returns the index.html path.

    History lives in ``reports_dir/history.jsonl``; pass ``append_history=False``
    for a second rendering of the same results, so a run counts once in trends.
    """
    results_dir, reports_dir = results_dir.resolve(), reports_dir.resolve()
    output = reports_dir / ("html-single" if single_file else "html")
    config = allure_config(output, reports_dir / "history.jsonl", single_file=single_file,
                           append_history=append_history, history_limit=history_limit)
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
