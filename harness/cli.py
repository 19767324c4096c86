"""``chaos-harness``: run scenario suites, validate them, render reports.

Exit codes: 0 all passed, 1 a scenario failed (widget regression), 2 invalid
input, 3 broken infrastructure.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
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
  chaos-harness run --repeat 20 --random-order -n 2   flake hunt: 20 shuffled runs, verdict changes listed
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
    run.add_argument("--repeat", type=positive_int, default=1, metavar="N",
                     help="run the suite N times; scenarios whose verdict changed are listed and marked flaky")
    run.add_argument("--random-order", action="store_true",
                     help="shuffle the scenarios (each repetition a different order, printed for replay)")
    run.add_argument("--order-seed", type=int, metavar="N",
                     help="seed of the first shuffled order (default: drawn at random); repetition i uses N+i")
    run.add_argument("--timeout", type=float, metavar="S",
                     help="wall-clock bound of one scenario in seconds (default 180); past it: broken, torn down")
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

    soak = commands.add_parser(
        "soak", help="many widget sessions under a fault mix; error rates, dashboard, the error-rate gate",
        description="Run many widget sessions (browser contexts, in parallel within and across workers) under "
                    "a fault mix, measure the user-visible error rates, retries and sync durations, gate them "
                    "against the committed baseline and the absolute bound, and write the dashboard and the "
                    "Allure report under reports/soak. Exit 0 when the gate holds, 1 when it does not.",
        epilog=SOAK_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    soak.add_argument("mix", nargs="?", type=Path, help="fault mix YAML (default: soak/default.yaml)")
    soak.add_argument("-n", "--workers", type=positive_int, default=1, metavar="N",
                      help="worker processes, each with its own stack and browser (default 1)")
    soak.add_argument("--sessions", type=positive_int, metavar="N", help="sessions in the run (default: the mix's)")
    soak.add_argument("--duration", type=duration_s, metavar="T", help="run for T (e.g. 90s, 5m) instead")
    soak.add_argument("--concurrency", type=positive_int, metavar="N",
                      help="browser contexts at once per worker (default: the mix's)")
    soak.add_argument("--seed", type=int, metavar="N", help="override the mix's seed")
    soak.add_argument("--regression", metavar="DEFECT", help="serve the reference widget with one catalogued defect")
    soak.add_argument("--target", default="reference", metavar="NAME|PATH", help="target profile (default reference)")
    soak.add_argument("--reports", type=Path, default=DEFAULT_REPORTS, metavar="DIR",
                      help="results go to DIR/soak (default: reports)")
    soak.add_argument("--baseline", type=Path, metavar="FILE", help="baseline file (default: soak/baseline.json)")
    soak.add_argument("--update-baseline", action="store_true",
                      help="record this run's error rates as the mix's baseline (only if the gate holds)")
    soak.add_argument("--no-report", action="store_true", help="write run.json, the dashboard and results only")
    soak.set_defaults(handler=cmd_soak)

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
SOAK_EXAMPLES = """examples:
  chaos-harness soak                                  the default mix against the reference widget
  chaos-harness soak -n 2                             the same sessions split across two workers
  chaos-harness soak --regression no-backoff          the gate must fail: retries no longer absorb blips
  chaos-harness soak soak/default.yaml --sessions 20 --duration 2m
  chaos-harness soak --update-baseline                record this run as the mix's baseline (commit it)
"""


def duration_s(value: str) -> float:
    """``90``, ``90s``, ``5m``, ``1h`` → seconds."""
    units = {"s": 1, "m": 60, "h": 3600}
    text = value.strip().lower()
    try:
        number = float(text[:-1]) * units[text[-1]] if text and text[-1] in units else float(text)
    except ValueError:
        number = -1
    if number <= 0:
        raise argparse.ArgumentTypeError(f"'{value}' is not a duration such as 90s, 5m or 1h")
    return number


def positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number of at least 1")
    return number


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


def pytest_argv(args: argparse.Namespace, repetition: int = 0, order_seed: int | None = None) -> list[str]:
    """The pytest command line of ``run`` (of its ``repetition``-th run when repeating)."""
    reports: Path = args.reports
    repeating = getattr(args, "repeat", 1) > 1
    argv = [
        sys.executable, "-m", "pytest", *args.paths,
        "-v",  # one line per scenario as it finishes, with its verdict: the progress display
        "-p", "no:cacheprovider",
        "--alluredir", str(reports / "allure-results"),
        "--junitxml", str(reports / (f"repeat/junit-{repetition + 1:02d}.xml" if repeating else "junit.xml")),
        "--chaos-summary", str(summary_path(reports, repetition) if repeating else reports / "summary.json"),
    ]
    if repetition == 0:
        argv.append("--clean-alluredir")  # repetitions add up in one results folder: Allure's retries
    if order_seed is not None:
        argv += ["--chaos-shuffle", str(order_seed)]
    if getattr(args, "timeout", None):
        argv += ["--chaos-timeout", str(args.timeout)]
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


def summary_path(reports: Path, repetition: int) -> Path:
    return reports / "repeat" / f"summary-{repetition + 1:02d}.json"


def cmd_run(args: argparse.Namespace) -> int:
    from harness.child import run_pytest
    from harness.repeat import RepeatRun

    reports: Path = args.reports
    results = reports / "allure-results"
    repeating = args.repeat > 1
    if repeating:
        shutil.rmtree(reports / "repeat", ignore_errors=True)
    (reports / "summary.json").unlink(missing_ok=True)
    first_seed = args.order_seed if args.order_seed is not None else random.randrange(1_000_000)
    hunt = RepeatRun(workers=args.workers)
    verdicts: list[Verdict] = []
    code = 0
    for repetition in range(args.repeat):
        order_seed = first_seed + repetition if args.random_order else None
        if repeating:
            order = f", order seed {order_seed}" if order_seed is not None else ""
            print(f"\n=== repetition {repetition + 1} of {args.repeat}{order} ===", flush=True)
        child = run_pytest(pytest_argv(args, repetition, order_seed))
        summary = summary_path(reports, repetition) if repeating else reports / "summary.json"
        found = read_summary(summary)
        hunt.add(order_seed, found)
        verdicts += [Verdict(v) for v in found.values()]
        if child.code == 5:
            print("chaos-harness: no scenario was collected", file=sys.stderr)
            code = max_severity(code, 2)
        elif not found and child.code != 0 and not child.interrupted:
            code = max_severity(code, 3)  # pytest died before any verdict: the harness, not the widget
        if child.interrupted:
            hunt.interrupted = True
            break
    code = max_severity(code, exit_code(verdicts))
    if repeating:
        from harness.reporting.results import mark_flaky

        hunt.write(reports / "repeat.json")
        if results.is_dir():
            mark_flaky(results)  # also when no report is rendered: CI merges these results later
        print("\n" + hunt.render())
        if hunt.flaky():
            code = max_severity(code, 1)
    print_summary(results)
    if not args.no_report and results.is_dir():
        code = max_severity(code, publish(reports, report_url=args.report_url))
        if args.open and not hunt.interrupted:
            from harness.reporting.serve import serve_forever

            serve_forever(reports / "html", open_browser=True)
    if hunt.interrupted:
        print("chaos-harness: the run was interrupted; the results and report above cover what finished",
              file=sys.stderr)
        return 130
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


def read_summary(summary: Path) -> dict[str, str]:
    """Verdict per scenario node id, as the plugin wrote them (nothing if pytest never got that far)."""
    if not summary.is_file():
        return {}
    try:
        data = json.loads(summary.read_text())
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.get("scenarios", {}).items()}


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


def cmd_soak(args: argparse.Namespace) -> int:
    from harness.soak.mix import DEFAULT_MIX
    from harness.soak.run import SoakOptions, soak

    return soak(SoakOptions(
        mix=args.mix or DEFAULT_MIX, workers=args.workers, sessions=args.sessions, duration_s=args.duration,
        seed=args.seed, concurrency=args.concurrency, regression=args.regression, target=args.target,
        reports=args.reports, baseline=args.baseline, update_baseline=args.update_baseline,
        no_report=args.no_report,
    ))


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
