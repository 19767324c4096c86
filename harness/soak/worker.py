"""One soak worker: its own stack and browser, many sessions at once, its records written as JSON.

Started by ``chaos-harness soak`` as a child process (``python -m
harness.soak.worker SPEC``), once per worker; a Ctrl-C stops new sessions, lets
the running ones end, and still writes what was recorded.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import count, takewhile
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

from harness.browser.chromium import LAUNCH_ARGS, chromium_executable
from harness.faults.toxics import apply_tcp_fault
from harness.infra.errors import InfrastructureError
from harness.infra.stacks import Stack, mitm_ca_spki_hash, start_stack
from harness.soak.mix import Mix, load_mix
from harness.soak.proxy import SoakFaults, SoakRecorder
from harness.soak.session import Session, SessionRecord
from harness.targets import TargetProfile, resolve_target


@dataclass
class WorkerSpec:
    mix: str
    index: int  # 0-based
    workers: int
    seed: int
    target: str
    out: str
    work: str
    sessions: int | None = None  # the run's total; this worker takes every workers-th session
    duration_s: float | None = None
    regression: str | None = None
    concurrency: int | None = None  # overrides the mix's

    def session_ids(self) -> Iterator[int]:
        ids = count(self.index, self.workers)
        if self.sessions is None:
            return ids
        total = self.sessions
        return takewhile(lambda i: i < total, ids)


def run_worker(spec: WorkerSpec) -> dict[str, Any]:
    mix = load_mix(spec.mix)
    if spec.concurrency:
        mix = mix.model_copy(update={"concurrency": spec.concurrency})
    profile = resolve_target(spec.target)
    recorder = SoakRecorder(profile.api.analytics, profile.api.telemetry)
    faults = SoakFaults(mix, spec.seed)
    records: list[SessionRecord] = []
    result: dict[str, Any] = {"worker": spec.index + 1, "started": time.time(), "interrupted": False, "problems": []}
    work = Path(spec.work)
    with start_stack(profile, [recorder, faults], work, regression=spec.regression) as stack:
        install_toxics(stack, mix)
        try:
            executable = chromium_executable()  # asks the sync API: outside the event loop
            asyncio.run(drive(spec, mix, profile, stack, records, executable))
        except KeyboardInterrupt:
            result["interrupted"] = True
        result["ended"] = time.time()
        result["api_metrics"] = api_metrics(stack, profile, result["ended"] - result["started"] + 60)
        result["problems"] = stack.health()
    flows, events = recorder.snapshot()
    result.update(
        sessions=[r.to_json() for r in sorted(records, key=lambda r: r.session)],
        flows=[asdict(f) for f in flows],
        events=events,
        faults={"fired": faults.fired, "outages": faults.outages},
    )
    return result


def install_toxics(stack: Stack, mix: Mix) -> None:
    for fault in mix.tcp:
        if stack.toxiproxy is None or fault.tcp.proxy not in stack.proxies:
            raise InfrastructureError("toxiproxy", f"the mix's toxic '{fault.id}' needs a Toxiproxy proxy "
                                      f"'{fault.tcp.proxy}'", f"proxies on this target: {', '.join(stack.proxies)}")
        apply_tcp_fault(stack.toxiproxy, fault)


async def drive(spec: WorkerSpec, mix: Mix, profile: TargetProfile, stack: Stack,
                records: list[SessionRecord], executable: Path | None) -> None:
    """Keep ``mix.concurrency`` sessions going until the session ids or the duration run out."""
    context_args: dict[str, Any] = {}
    if stack.browser_proxy:
        context_args["proxy"] = {"server": stack.browser_proxy, "bypass": "<-loopback>"}
    end = time.monotonic() + spec.duration_s if spec.duration_s else None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(executable) if executable else None,
            args=[*LAUNCH_ARGS, f"--ignore-certificate-errors-spki-list={mitm_ca_spki_hash()}"],
        )
        slots = asyncio.Semaphore(mix.concurrency)
        running: set[asyncio.Task[SessionRecord]] = set()

        async def one(session_id: int) -> SessionRecord:
            try:
                record = SessionRecord(session=session_id, worker=spec.index + 1)
                session = Session(browser, stack.base_url, profile, mix.conversation, record, spec.seed, context_args)
                records.append(record)
                return await session.run()
            finally:
                slots.release()

        try:
            for session_id in spec.session_ids():
                await slots.acquire()
                if end is not None and time.monotonic() >= end:
                    slots.release()
                    break
                task = asyncio.create_task(one(session_id))
                running.add(task)
                task.add_done_callback(running.discard)
            if running:
                await asyncio.gather(*running)
        finally:
            await browser.close()


def api_metrics(stack: Stack, profile: TargetProfile, window_s: float) -> dict[str, Any] | None:
    """The app's own ``/api/metrics`` (the reference API has one; other targets may not)."""
    if not profile.api.metrics:
        return None
    url = f"{stack.base_url.rstrip('/')}{profile.api.metrics}?window_s={int(window_s)}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            data = json.loads(response.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def main(argv: list[str]) -> int:
    spec = WorkerSpec(**json.loads(Path(argv[0]).read_text()))
    out = Path(spec.out)
    try:
        result = run_worker(spec)
    except InfrastructureError as exc:
        result = {"worker": spec.index + 1, "broken": str(exc)}
    out.write_text(json.dumps(result))
    return 3 if "broken" in result else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
