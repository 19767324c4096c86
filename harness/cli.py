"""``chaos-harness``: run scenario suites, validate them, render reports.

Exit codes: 0 all passed, 1 a scenario failed, 2 invalid input, 3 broken
infrastructure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.infra.errors import InfrastructureError
from harness.scenario import ScenarioError, load_scenario
from harness.verdicts import Verdict, exit_code

DEFAULT_REPORTS = Path("reports")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chaos-harness", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run scenarios and render the Allure report")
    run.add_argument("paths", nargs="*", default=["scenarios"], help="scenario files or folders (default: scenarios)")
    run.add_argument("-k", dest="keyword", help="only scenarios matching this pytest -k expression")
    run.add_argument("-n", dest="workers", help="parallel workers (pytest-xdist), e.g. 2 or auto")
    run.add_argument("--headed", action="store_true", help="show the browser")
    run.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, help="where results and the report go")
    run.add_argument("--no-report", action="store_true", help="write results but do not render HTML")
    run.set_defaults(handler=cmd_run)

    validate = commands.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("paths", nargs="+", type=Path)
    validate.set_defaults(handler=cmd_validate)

    schema = commands.add_parser("schema", help="print the scenario JSON Schema (for editor completion)")
    schema.add_argument("--output", "-o", type=Path, help="write to this file instead of standard output")
    schema.set_defaults(handler=cmd_schema)

    listing = commands.add_parser("list", help="list scenarios with their plan sections, and the coverage matrix")
    listing.add_argument("paths", nargs="*", type=Path, default=[Path("scenarios")])
    listing.set_defaults(handler=cmd_list)

    selftest = commands.add_parser("selftest", help="run the suite against every catalogued defect; print the matrix")
    selftest.add_argument("paths", nargs="*", default=["scenarios"])
    selftest.add_argument("-n", dest="workers", help="parallel workers for each suite run")
    selftest.add_argument("--only", action="append", metavar="DEFECT", help="only these defects (repeatable)")
    selftest.set_defaults(handler=cmd_selftest)

    report = commands.add_parser("report", help="render the Allure report from existing results")
    report.add_argument("--reports", type=Path, default=DEFAULT_REPORTS)
    report.add_argument("--single-file", action="store_true", help="one self-contained HTML file")
    report.set_defaults(handler=cmd_report)

    serve = commands.add_parser("serve", help="serve the reference widget stack for a person to use")
    serve.add_argument("--port", type=int, default=0, help="port to serve on (default: an ephemeral one)")
    serve.add_argument("--regression", metavar="NAME", help="switch on one defect of the regression catalogue")
    serve.set_defaults(handler=cmd_serve)
    return parser


def scenario_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        else:
            files.append(path)
    return files


def cmd_validate(args: argparse.Namespace) -> int:
    bad = 0
    files = scenario_files(args.paths)
    for file in files:
        try:
            load_scenario(file)
        except ScenarioError as exc:
            bad += 1
            print(exc.render(), file=sys.stderr)
            print(file=sys.stderr)
    print(f"{len(files) - bad} valid, {bad} invalid")
    return 2 if bad else 0


def cmd_schema(args: argparse.Namespace) -> int:
    from harness.scenario.schema import scenario_schema

    text = json.dumps(scenario_schema(), indent=2) + "\n"
    if args.output:
        args.output.write_text(text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from harness.scenario.plan import PLAN_SECTIONS, section_key, section_label

    rows: list[tuple[str, str, str, str]] = []
    invalid = 0
    for file in scenario_files(args.paths):
        try:
            scenario = load_scenario(file)
        except ScenarioError:
            invalid += 1
            continue
        key = section_key(scenario.plan) if scenario.plan else None
        rows.append((scenario.id, key or "-", ",".join(scenario.tags), scenario.title))
    width = max((len(r[0]) for r in rows), default=10)
    for sid, key, tags, title in rows:
        print(f"{sid:<{width}}  plan {key:<4}  {title}  [{tags}]")
    print("\ncoverage: plan section × scenarios")
    for key in PLAN_SECTIONS:
        ids = [r[0] for r in rows if r[1] == key]
        mark = "✔" if ids else "✘"
        print(f"  {mark} {section_label(key):<32} {len(ids):>3}  {', '.join(ids)}")
    if invalid:
        print(f"\n{invalid} invalid file(s): run `chaos-harness validate`", file=sys.stderr)
    return 2 if invalid else 0


def cmd_selftest(args: argparse.Namespace) -> int:
    from harness.selftest import selftest

    return selftest(list(args.paths), args.workers, args.only)


def cmd_run(args: argparse.Namespace) -> int:
    reports: Path = args.reports
    results = reports / "allure-results"
    summary = reports / "summary.json"
    summary.unlink(missing_ok=True)
    argv = [
        sys.executable,
        "-m",
        "pytest",
        *args.paths,
        "-p",
        "no:cacheprovider",
        "--alluredir",
        str(results),
        "--clean-alluredir",
        "--junitxml",
        str(reports / "junit.xml"),
        "--chaos-summary",
        str(summary),
    ]
    if args.keyword:
        argv += ["-k", args.keyword]
    if args.workers:
        argv += ["-n", str(args.workers)]
    if args.headed:
        argv.append("--headed")
    try:
        pytest_code = subprocess.call(argv)
    except KeyboardInterrupt:
        pytest_code = 2
    verdicts = read_verdicts(summary)
    code = exit_code(verdicts) if verdicts else (3 if pytest_code not in (0, 5) else 0)
    if pytest_code == 5:
        print("chaos-harness: no scenario was collected", file=sys.stderr)
        code = 2
    if not args.no_report and results.is_dir():
        code = max_severity(code, render(reports))
    return code


def max_severity(a: int, b: int) -> int:
    order = [0, 1, 3, 2]
    return a if order.index(a) >= order.index(b) else b


def read_verdicts(summary: Path) -> list[Verdict]:
    if not summary.is_file():
        return []
    data = json.loads(summary.read_text())
    return [Verdict(v) for v in data.get("scenarios", {}).values()]


def render(reports: Path, single_file: bool = False) -> int:
    from harness.reporting.render import render_report

    try:
        index = render_report(reports / "allure-results", reports, single_file=single_file)
    except InfrastructureError as exc:
        print(f"chaos-harness: broken infrastructure: {exc}", file=sys.stderr)
        return 3
    print(f"Allure report: {index.resolve()}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    return render(args.reports, args.single_file)


def cmd_serve(args: argparse.Namespace) -> int:
    from harness.serve import serve

    return serve(port=args.port, regression=args.regression)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
