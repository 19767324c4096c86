"""``chaos-harness``: run scenario suites, validate them, render reports.

Exit codes: 0 all passed, 1 a scenario failed (widget regression), 2 invalid
input, 3 broken infrastructure.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.infra.errors import InfrastructureError
from harness.scenario import ScenarioError, load_scenario
from harness.verdicts import Verdict, exit_code

DEFAULT_REPORTS = Path("reports")
DURATIONS = Path(".test_durations")  # pytest-split's committed timings, for --shard

RUN_EXAMPLES = """examples:
  chaos-harness run                                   the whole suite, report in reports/html
  chaos-harness run scenarios/history -n 2            one folder, two browsers in parallel
  chaos-harness run -k 503 --seed 7                   scenarios matching '503', every seed forced to 7
  chaos-harness run scenarios/history/history-503.yaml --seed 0 --target reference
                                                      replay one failure (the report prints this line)
  chaos-harness run --shard 2/4 --no-report           CI: the second of four duration-balanced shards
  chaos-harness run -- --maxfail 1                    anything after -- goes to pytest as is
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chaos-harness", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run", help="run scenarios and render the Allure report",
        description="Run scenarios (as pytest items), then render the Allure report, the gallery and the "
                    "notebook entry, and print a summary table. A failing scenario keeps its Playwright trace.",
        epilog=RUN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("paths", nargs="*", default=["scenarios"], help="scenario files or folders (default: scenarios)")
    run.add_argument("-k", dest="keyword", metavar="EXPR", help="only scenarios matching this pytest -k expression")
    run.add_argument("-n", dest="workers", metavar="N", help="parallel workers (pytest-xdist), e.g. 2 or auto")
    run.add_argument("--target", metavar="NAME|PATH",
                     help="target profile: a name under targets/ or a profile YAML (default: reference)")
    run.add_argument("--seed", type=int, metavar="N", help="override every scenario's seed (replays a run exactly)")
    run.add_argument("--regression", metavar="DEFECT",
                     help="serve the reference widget with one catalogued defect switched on")
    run.add_argument("--headed", action="store_true", help="show the browser")
    run.add_argument("--trace", action="store_true",
                     help="keep the Playwright trace of every scenario (default: only of failing ones)")
    run.add_argument("--shard", metavar="I/N", type=shard,
                     help="run only shard I of N (pytest-split, balanced by the durations in .test_durations)")
    run.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, metavar="DIR",
                     help="where results and the report go (default: reports)")
    run.add_argument("--report-url", metavar="URL", help="where the report will be published, for notebook links")
    run.add_argument("--no-report", action="store_true",
                     help="write results (Allure, JUnit) but render no HTML and no notebook entry")
    run.add_argument("--open", action="store_true", help="serve the report when the run ends and open a browser")
    run.set_defaults(handler=cmd_run)

    validate = commands.add_parser("validate", help="check scenario files without running them",
                                   description="Check scenario files; every problem of every file, with its line.")
    validate.add_argument("paths", nargs="+", type=Path, help="scenario files or folders")
    validate.set_defaults(handler=cmd_validate)

    schema = commands.add_parser("schema", help="print the scenario JSON Schema (for editor completion)",
                                 description="Print the JSON Schema of a scenario file.")
    schema.add_argument("--output", "-o", type=Path, help="write to this file instead of standard output")
    schema.set_defaults(handler=cmd_schema)

    listing = commands.add_parser("list", help="list scenarios with their plan sections, and the coverage matrix",
                                  description="List scenarios with their plan section and tags, then which plan "
                                              "sections the scenarios cover.")
    listing.add_argument("paths", nargs="*", type=Path, default=[Path("scenarios")], help="default: scenarios")
    listing.set_defaults(handler=cmd_list)

    selftest = commands.add_parser("selftest", help="run the suite against every catalogued defect; print the matrix",
                                   description="Run the suite against the healthy reference widget, then against "
                                               "each defect of its regression catalogue; fail if a defect survives.")
    selftest.add_argument("paths", nargs="*", default=["scenarios"], help="default: scenarios")
    selftest.add_argument("-n", dest="workers", help="parallel workers for each suite run")
    selftest.add_argument("--only", action="append", metavar="DEFECT", help="only these defects (repeatable)")
    selftest.set_defaults(handler=cmd_selftest)

    report = commands.add_parser(
        "report", help="render the Allure report from existing results (--serve to browse it)",
        description="Render reports/allure-results (e.g. merged from CI shards): the multi-file and single-file "
                    "Allure report, the gallery, and a notebook entry. A multi-file report needs HTTP: --serve.",
    )
    report.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, metavar="DIR",
                        help="the folder holding allure-results (default: reports)")
    report.add_argument("--single-file", action="store_true", help="render only the self-contained single-file report")
    report.add_argument("--report-url", metavar="URL", help="where the report will be published, for notebook links")
    report.add_argument("--serve", action="store_true", help="serve the rendered report over HTTP until Ctrl-C")
    report.add_argument("--port", type=int, default=0, help="port for --serve (default: an ephemeral one)")
    report.add_argument("--open", action="store_true", help="open a browser on the served report (implies --serve)")
    report.set_defaults(handler=cmd_report)

    serve = commands.add_parser("serve", help="serve the reference widget stack for a person to use",
                                description="Start the reference widget behind mitmproxy and Toxiproxy, for "
                                            "trying it by hand.")
    serve.add_argument("--port", type=int, default=0, help="port to serve on (default: an ephemeral one)")
    serve.add_argument("--regression", metavar="NAME", help="switch on one defect of the regression catalogue")
    serve.set_defaults(handler=cmd_serve)
    return parser


def shard(value: str) -> tuple[int, int]:
    """``2/4`` → (2, 4)."""
    try:
        index, total = (int(part) for part in value.split("/", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not I/N, e.g. 2/4") from None
    if not 1 <= index <= total:
        raise argparse.ArgumentTypeError(f"shard {index} of {total}: I must be between 1 and N")
    return index, total
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


def pytest_argv(args: argparse.Namespace) -> list[str]:
    """The pytest command line of ``run``: one place to add options (``--repeat`` goes here too)."""
    reports: Path = args.reports
    argv = [
        sys.executable, "-m", "pytest", *args.paths,
        "-v",  # one line per scenario as it finishes, with its verdict: the progress display
        "-p", "no:cacheprovider",
        "--alluredir", str(reports / "allure-results"), "--clean-alluredir",
        "--junitxml", str(reports / "junit.xml"),
        "--chaos-summary", str(reports / "summary.json"),
    ]
    if args.keyword:
        argv += ["-k", args.keyword]
    if args.workers:
        argv += ["-n", str(args.workers)]
    if args.target:
        argv += ["--chaos-target", args.target]
    if args.seed is not None:
        argv += ["--chaos-seed", str(args.seed)]
    if args.regression:
        argv += ["--chaos-regression", args.regression]
    if args.headed:
        argv.append("--headed")
    argv += ["--tracing", "on" if args.trace else "retain-on-failure"]
    if args.shard:
        index, total = args.shard
        argv += ["--splits", str(total), "--group", str(index), "--splitting-algorithm", "least_duration",
                 "--durations-path", str(DURATIONS)]
    return argv + list(getattr(args, "pytest_args", []))


def cmd_run(args: argparse.Namespace) -> int:
    reports: Path = args.reports
    results = reports / "allure-results"
    summary = reports / "summary.json"
    summary.unlink(missing_ok=True)
    try:
        pytest_code = subprocess.call(pytest_argv(args))
    except KeyboardInterrupt:
        pytest_code = 2
    verdicts = read_verdicts(summary)
    code = exit_code(verdicts) if verdicts else (3 if pytest_code not in (0, 5) else 0)
    if pytest_code == 5:
        print("chaos-harness: no scenario was collected", file=sys.stderr)
        code = 2
    print_summary(results)
    if not args.no_report and results.is_dir():
        code = max_severity(code, publish(reports, report_url=args.report_url))
        if args.open:
            from harness.reporting.serve import serve_forever

            serve_forever(reports / "html", open_browser=True)
    return code


def print_summary(results: Path) -> None:
    from harness.reporting.results import outcomes
    from harness.reporting.summary import summary_table

    if not results.is_dir():
        return
    width = shutil.get_terminal_size((120, 24)).columns
    print("\n" + summary_table(outcomes(results), width=width))


def max_severity(a: int, b: int) -> int:
    order = [0, 1, 3, 2]
    return a if order.index(a) >= order.index(b) else b


def read_verdicts(summary: Path) -> list[Verdict]:
    if not summary.is_file():
        return []
    data = json.loads(summary.read_text())
    return [Verdict(v) for v in data.get("scenarios", {}).values()]


def publish(reports: Path, *, single_only: bool = False, report_url: str | None = None) -> int:
    """Render the report, the gallery and the notebook entry; print where they are."""
    from harness.reporting.publish import publish as publish_reports

    if not (reports / "allure-results").is_dir():
        print(f"chaos-harness: no results in {reports / 'allure-results'}: run scenarios first", file=sys.stderr)
        return 2
    try:
        done = publish_reports(reports, multi_file=not single_only, report_url=report_url)
    except InfrastructureError as exc:
        print(f"chaos-harness: broken infrastructure: {exc}", file=sys.stderr)
        return 3
    if done.html:
        print(f"Allure report:    {done.html.resolve()}  (multi-file: chaos-harness report --serve)")
    if done.single_file:
        print(f"single file:      {done.single_file.resolve()}  (opens from disk)")
    if done.gallery:
        print(f"gallery:          {done.gallery.resolve()}")
    if done.notebook:
        print(f"notebook entry:   {done.notebook.resolve()}")
    if done.flaky:
        print(f"flaky (passed and failed in this run): {', '.join(done.flaky)}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    print_summary(args.reports / "allure-results")
    code = publish(args.reports, single_only=args.single_file, report_url=args.report_url)
    if code == 0 and (args.serve or args.open):
        from harness.reporting.serve import serve_forever

        folder = args.reports / ("html-single" if args.single_file else "html")
        return serve_forever(folder, args.port, open_browser=args.open)
    return code


def cmd_serve(args: argparse.Namespace) -> int:
    from harness.serve import serve

    return serve(port=args.port, regression=args.regression)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after a bare `--` goes to pytest untouched (argparse would read it as paths).
    extra: list[str] = []
    if "--" in argv:
        extra, argv = argv[argv.index("--") + 1 :], argv[: argv.index("--")]
    args = build_parser().parse_args(argv)
    if extra and args.command != "run":
        build_parser().error("arguments after -- are passed to pytest by `run` only")
    args.pytest_args = extra
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
