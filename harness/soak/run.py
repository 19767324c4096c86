"""``chaos-harness soak``: start the workers, merge their records, gate, dashboard, report.

Exit codes as for ``run``: 0 the gate holds, 1 it does not, 2 a bad mix file,
3 broken infrastructure (a worker's stack would not start, or too many
sessions could not be driven at all).
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.infra.process import die_with_parent
from harness.scenario.errors import ScenarioError
from harness.soak import gate as gating
from harness.soak.mix import DEFAULT_MIX, Mix, load_mix
from harness.soak.worker import WorkerSpec

HISTORY_KEEP = 50
ABORTED_SHARE_BROKEN = 0.05  # more sessions than this that could not be driven: the harness is broken
WORKER_GRACE_S = 120.0


@dataclass
class SoakOptions:
    mix: Path = DEFAULT_MIX
    workers: int = 1
    sessions: int | None = None
    duration_s: float | None = None
    seed: int | None = None
    concurrency: int | None = None
    regression: str | None = None
    target: str = "reference"
    reports: Path = Path("reports")
    baseline: Path | None = None
    update_baseline: bool = False
    no_report: bool = False


def soak(options: SoakOptions) -> int:
    try:
        mix = load_mix(options.mix)
    except ScenarioError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    if options.concurrency:
        mix = mix.model_copy(update={"concurrency": options.concurrency})
    seed = mix.seed if options.seed is None else options.seed
    duration = options.duration_s if options.duration_s is not None else (
        None if options.sessions is not None else mix.duration_s)
    sessions = None if duration is not None else (options.sessions or mix.sessions)
    folder = options.reports / "soak"
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + f"-{seed}"
    what = f"{sessions} sessions" if sessions is not None else f"{duration:g} s of sessions"
    print(f"soak {run_id}: mix '{mix.name}' ({options.mix}), {what}, {options.workers} worker(s) × "
          f"{mix.concurrency} contexts, seed {seed}" + (f", regression {options.regression}" if options.regression
                                                         else ""), flush=True)
    started = time.monotonic()
    outputs, interrupted = run_workers(options, mix, seed, sessions, duration, folder)
    wall = time.monotonic() - started
    broken = [o["broken"] for o in outputs if "broken" in o]
    if broken or not outputs:
        for problem in broken or ["no worker wrote a record"]:
            print(f"chaos-harness soak: broken infrastructure: {problem}", file=sys.stderr)
        return 3
    from harness.soak.record import merge

    run = merge(outputs, run_id=run_id, mix_name=mix.name, mix_path=str(options.mix), seed=seed,
                regression=options.regression, concurrency=mix.concurrency, wall_s=wall)
    run["ended_epoch"] = time.time()
    baseline_file = gating.baseline_path(mix.gate, options.baseline)
    try:
        baseline = gating.read_baseline(baseline_file, mix.name)
    except gating.BaselineError as exc:
        print(f"chaos-harness soak: {exc}", file=sys.stderr)
        return 2
    run["gate"] = gating.evaluate(run, mix.gate, baseline)
    run["gate"]["baseline_file"] = str(baseline_file)
    code = 0 if run["gate"]["verdict"] == "passed" else 1
    problems = [p for o in outputs for p in o.get("problems", [])]
    aborted_share = run["sessions_aborted"] / max(run["sessions_started"], 1)
    if problems or aborted_share > ABORTED_SHARE_BROKEN:
        run["gate"]["verdict"] = "not evaluated"
        for problem in problems or [f"{run['sessions_aborted']} of {run['sessions_started']} sessions could not "
                                    f"be driven: {'; '.join(run['aborted'][:3])}"]:
            print(f"chaos-harness soak: broken infrastructure: {problem}", file=sys.stderr)
        code = 3
    publish_run(folder, run, outputs, no_report=options.no_report)
    print(summary(run))
    if options.update_baseline and code == 0:
        try:
            entry = gating.write_baseline(baseline_file, mix.name, run, mix.gate)
        except gating.BaselineError as exc:
            print(f"chaos-harness soak: {exc}", file=sys.stderr)
            return 1
        print(f"baseline for mix '{mix.name}' recorded in {baseline_file}: {json.dumps(entry)}")
    elif options.update_baseline:
        print("chaos-harness soak: baseline not updated: the run did not pass", file=sys.stderr)
    if interrupted:
        print("chaos-harness soak: interrupted; the figures cover the sessions that ran", file=sys.stderr)
        return 130
    return code


def run_workers(options: SoakOptions, mix: Mix, seed: int, sessions: int | None, duration: float | None,
                folder: Path) -> tuple[list[dict[str, Any]], bool]:
    """One child process per worker; Ctrl-C lets them finish their sessions and write what they have."""
    work = folder / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    procs: list[tuple[subprocess.Popen[bytes], Path]] = []
    for index in range(options.workers):
        spec = WorkerSpec(mix=str(options.mix.resolve()), index=index, workers=options.workers, seed=seed,
                          target=options.target, out=str((work / f"worker-{index + 1}.json").resolve()),
                          work=str((work / f"stack-{index + 1}").resolve()), sessions=sessions,
                          duration_s=duration, regression=options.regression, concurrency=mix.concurrency)
        spec_file = work / f"worker-{index + 1}.spec.json"
        spec_file.write_text(json.dumps(asdict(spec)))
        proc = subprocess.Popen([sys.executable, "-m", "harness.soak.worker", str(spec_file)],
                                preexec_fn=die_with_parent)  # noqa: PLW1509
        procs.append((proc, Path(spec.out)))
    interrupted = False
    try:
        for proc, _ in procs:
            proc.wait()
    except KeyboardInterrupt:
        interrupted = True
        print("\nchaos-harness soak: interrupted; the workers finish their sessions and write what they have",
              file=sys.stderr, flush=True)
        for proc, _ in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + WORKER_GRACE_S
        for proc, _ in procs:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 1))
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                proc.kill()
                proc.wait()
    outputs = []
    for proc, out in procs:
        if out.is_file():
            try:
                outputs.append(json.loads(out.read_text()))
                continue
            except ValueError:
                pass
        outputs.append({"worker": len(outputs) + 1, "broken": f"worker {len(outputs) + 1} exited {proc.returncode} "
                        f"without a record (see its output above)"})
    return outputs, interrupted


def publish_run(folder: Path, run: dict[str, Any], outputs: list[dict[str, Any]], *, no_report: bool) -> None:
    """run.json, the kept history of runs, the dashboard, the Allure results (and report)."""
    from harness.soak.allure import write_results
    from harness.soak.dashboard import render_dashboard, write_dashboard

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "run.json").write_text(json.dumps(run, indent=2) + "\n")
    runs_file = folder / "runs.jsonl"
    history = [json.loads(line) for line in runs_file.read_text().splitlines() if line.strip()] \
        if runs_file.is_file() else []
    history = [*history, _for_history(run)][-HISTORY_KEEP:]
    runs_file.write_text("".join(json.dumps(r) + "\n" for r in history))
    dashboard = write_dashboard(folder / "dashboard.html", run, history)
    print(f"dashboard:        {dashboard.resolve()}")
    results = folder / "allure-results"
    shutil.rmtree(results, ignore_errors=True)
    sessions = [s for o in outputs for s in o.get("sessions", [])]
    events = [e for o in outputs for e in o.get("events", [])]
    write_results(results, run, sessions, events, render_dashboard(run, history))
    if no_report:
        return
    from harness.infra.errors import InfrastructureError
    from harness.reporting.publish import publish

    try:
        done = publish(folder, notebook=False)
    except InfrastructureError as exc:
        print(f"chaos-harness soak: the report could not be rendered: {exc}", file=sys.stderr)
        return
    if done.html:
        print(f"Allure report:    {done.html.resolve()}  (chaos-harness report --reports {folder} --serve)")
    if done.single_file:
        print(f"single file:      {done.single_file.resolve()}")


def _for_history(run: dict[str, Any]) -> dict[str, Any]:
    """What the across-runs charts need; the per-bucket detail stays in run.json."""
    return {k: v for k, v in run.items() if k not in ("buckets", "per_worker", "aborted", "stuck")}


def summary(run: dict[str, Any]) -> str:
    sends, loads, sync = run["sends"], run["history_loads"], run["sync_ms"]
    gate = run["gate"]
    lines = [
        "",
        f"soak {run['run_id']}  mix {run['mix']}  seed {run['seed']}  {run['workers']} worker(s) × "
        f"{run['concurrency']}  wall {run['wall_s']:.0f} s" + (f"  regression {run['regression']}"
                                                              if run["regression"] else ""),
        f"  sessions          {run['sessions']} ({run['sessions_aborted']} aborted, {run['sessions_stuck']} stuck)",
        f"  requests          {run['requests']['total']}",
        f"  injected faults   {run['faults_total']}  " + ", ".join(f"{k} {v}" for k, v in run["faults"].items()),
        f"  sends             {sends['total']}: {sends['failed']} failed after retries, {sends['recoverable']} "
        f"handed back  → error rate {sends['error_rate']:.2%}",
        f"  history loads     {loads['total']}: {loads['failed']} failed  → error rate {loads['error_rate']:.2%}",
        f"  retries           {run['retries']['sends_retried']} sends retried, {run['retries']['retry_attempts']} "
        f"extra attempts (max {run['retries']['max_attempts']} attempts)",
        f"  sync duration     avg {sync['average']} ms, p95 {sync['p95']} ms over {sync['count']} syncs",
        "  time per status   " + ", ".join(f"{k} {v:.1%}" for k, v in run["status_share"].items()),
    ]
    api = run.get("api_metrics")
    if api:
        lines.append(f"  /api/metrics      sends {api['sends']['failed']}/{api['sends']['total']} failed, history "
                     f"{api['history_loads']['failed']}/{api['history_loads']['total']} failed, p95 sync "
                     f"{api['sync_duration_ms']['p95']} ms")
    lines.append(f"quality gate: {gate['verdict'].upper()}")
    for check in gate["checks"]:
        mark = "✔" if check["ok"] else "✘"
        lines.append(f"  {mark} {check['metric']} = {check['value']} (limit {check['limit']}): {check['why']}")
    return "\n".join(lines)
