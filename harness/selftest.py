"""``chaos-harness selftest``: prove the suite catches every catalogued defect.

The suite runs once against the healthy reference widget (every scenario must
pass), then once per defect of the regression catalogue. A defect is *killed*
when at least one scenario fails as a widget regression. The run fails when a
defect survives every scenario, or a scenario kills nothing without saying why
(``selftest_exempt``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from harness.scenario import ScenarioError, load_scenario
from harness.verdicts import Verdict


@dataclass
class Matrix:
    scenarios: list[str]
    baseline: dict[str, str] = field(default_factory=dict)
    kills: dict[str, dict[str, str]] = field(default_factory=dict)  # defect → scenario → verdict

    def killed_by(self, defect: str) -> list[str]:
        return [s for s, v in self.kills.get(defect, {}).items() if v == Verdict.REGRESSION]

    def kills_of(self, scenario: str) -> list[str]:
        return [d for d in self.kills if self.kills[d].get(scenario) == Verdict.REGRESSION]


def run_suite(paths: list[str], regression: str | None, workers: str | None) -> dict[str, str]:
    """One pytest run; scenario id → verdict."""
    with tempfile.TemporaryDirectory(prefix="chaos-selftest-") as tmp:
        summary = Path(tmp) / "summary.json"
        argv = [sys.executable, "-m", "pytest", *paths, "-q", "-p", "no:cacheprovider", "--no-header",
                "--chaos-summary", str(summary), "-o", "addopts="]
        if regression:
            argv += ["--chaos-regression", regression]
        if workers:
            argv += ["-n", workers]
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if not summary.is_file():
            return {}
        data = json.loads(summary.read_text()).get("scenarios", {})
    return {nodeid.rsplit("::", 1)[-1]: verdict for nodeid, verdict in data.items()}


def selftest(paths: list[str], workers: str | None = None, only: list[str] | None = None) -> int:
    from reference_widget.regressions import CATALOGUE

    files = sorted(p for path in paths for p in (Path(path).rglob("*.yaml") if Path(path).is_dir() else [Path(path)]))
    exempt: dict[str, str] = {}
    ids: list[str] = []
    for file in files:
        try:
            scenario = load_scenario(file)
        except ScenarioError as exc:
            print(exc.render(), file=sys.stderr)
            return 2
        ids.append(scenario.id)
        if scenario.selftest_exempt:
            exempt[scenario.id] = scenario.selftest_exempt
    defects = [r.name for r in CATALOGUE if not only or r.name in only]
    matrix = Matrix(scenarios=ids)
    print(f"selftest: {len(ids)} scenarios × {len(defects)} defects (+ a healthy baseline)", flush=True)
    matrix.baseline = run_suite(paths, None, workers)
    unhealthy = {s: v for s, v in matrix.baseline.items() if v != Verdict.PASSED}
    if unhealthy or not matrix.baseline:
        print(f"selftest: the suite does not pass against the healthy widget: {unhealthy or 'no results'}")
        return 3 if any(v == Verdict.BROKEN for v in unhealthy.values()) or not matrix.baseline else 1
    for defect in defects:
        matrix.kills[defect] = run_suite(paths, defect, workers)
        killers = matrix.killed_by(defect)
        print(f"  {defect:<36} killed by {len(killers):>2}: {', '.join(killers) or '— SURVIVED'}", flush=True)
    return report(matrix, exempt)


def report(matrix: Matrix, exempt: dict[str, str]) -> int:
    defects = list(matrix.kills)
    width = max(len(s) for s in matrix.scenarios)
    print("\nscenario × defect (X = the scenario fails with the defect on; ! = broken)")
    for i, defect in enumerate(defects):
        print(f"  {'':<{width}}  {'│ ' * i}┌ {defect}")
    for scenario in matrix.scenarios:
        cells = []
        for defect in defects:
            verdict = matrix.kills[defect].get(scenario)
            cells.append("X" if verdict == Verdict.REGRESSION else "!" if verdict == Verdict.BROKEN else "·")
        print(f"  {scenario:<{width}}  {' '.join(cells)}")
    survivors = [d for d in defects if not matrix.killed_by(d)]
    idle = [s for s in matrix.scenarios if not matrix.kills_of(s) and s not in exempt]
    broken = sorted({d for d in defects for v in matrix.kills[d].values() if v == Verdict.BROKEN})
    print()
    for scenario, why in sorted(exempt.items()):
        print(f"  exempt: {scenario}: {why}")
    if broken:
        print(f"broken infrastructure while testing: {', '.join(broken)}")
    if survivors:
        print(f"FAILED: defects no scenario catches: {', '.join(survivors)}")
    if idle:
        print(f"FAILED: scenarios that kill no defect and do not say why (selftest_exempt): {', '.join(idle)}")
    if survivors or idle:
        return 1
    if broken:
        return 3
    print(f"selftest passed: every one of {len(defects)} defects is killed; every scenario earns its place")
    return 0
