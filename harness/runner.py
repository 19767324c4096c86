"""Drive one scenario: install faults, run steps on a page, evaluate, clean up.

Steady state → method (faults and actions) → verdict, with the fault rollback
always running (chaostoolkit's vocabulary). Steps speak the target profile's
names; every wait has a bound.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from playwright.sync_api import BrowserContext, Locator, Page
from playwright.sync_api import Error as PlaywrightError

from harness.assertions import ExpectationFailed, Failure, evaluate
from harness.assertions.faults import check_faults_fired
from harness.browser.pacer import Pacer, in_flight
from harness.browser.probes import watch_console
from harness.deadline import DEFAULT_TIMEOUT_S, Deadline
from harness.faults.driver import FaultDriver
from harness.scenario import steps as st
from harness.scenario.model import Scenario
from harness.targets import TargetProfile
from harness.timeline import Timeline

QUIET_MS = 2_000  # virtual time the page must stay quiet after the last step
ACTION_TIMEOUT_MS = 5_000  # real time Playwright may wait for an element
SESSION_KEY = "chat-assistant-session-id"


@dataclass
class Run:
    scenario: Scenario
    profile: TargetProfile
    context: BrowserContext
    base_url: str
    faults: FaultDriver
    timeline: Timeline
    artifacts: Path
    page: Page | None = None
    pacer: Pacer | None = None
    screenshots: list[Path] = field(default_factory=list)
    on_step: Callable[[int, str], None] | None = None
    deadline: Deadline = field(default_factory=lambda: Deadline(DEFAULT_TIMEOUT_S))
    where: str = "set-up"  # the step running now, for the deadline's message

    # --- lifecycle ------------------------------------------------------------

    def execute(self) -> None:
        """Run every step; raise :class:`ExpectationFailed` if the widget misbehaved."""
        self.timeline.add("run.start", {"scenario": self.scenario.id, "seed": self.scenario.seed})
        self.context.set_default_timeout(ACTION_TIMEOUT_MS)
        try:
            self.faults.install(self.scenario)
            for index, step in enumerate(self.scenario.steps):
                name = st.step_name(step)
                self.where = f"steps[{index}] ({name})"
                self.deadline.check(self.where)
                self.timeline.add("step.start", {"index": index, "step": name, "args": _args(step)})
                if self.on_step:
                    self.on_step(index, name)
                self.run_step(index, step)
            if self.page is not None and self.pacer is not None:
                self.where = "the quiet period after the last step"
                self.timeline.add("step.start", {"index": len(self.scenario.steps), "step": "quiet"})
                self.pacer.settle(QUIET_MS)
                self.snapshot_page()
        finally:
            self.faults.clear()
        self.read_server_history()
        self.timeline.add("run.end", {})
        failures = evaluate(self.scenario.expect, self.timeline)
        failures += check_faults_fired(self.declared_faults(), self.scenario.expect.unused_faults,
                                       self.timeline, self.profile.api.chat)
        if failures:
            raise ExpectationFailed(failures, self.timeline)

    def declared_faults(self) -> list[str]:
        added = [s.add_fault.id for s in self.scenario.steps if isinstance(s, st.AddFault)]
        return [f.id for f in self.scenario.faults] + added

    def run_step(self, index: int, step: Any) -> None:
        if isinstance(step, st.LoadPage):
            self.load(step.load_page.path)
        elif isinstance(step, st.OpenWidget):
            if self.page is None:
                self.load(step.open_widget.path)
            self.open_widget()
        elif isinstance(step, st.TypeText):
            self.locate(self.profile.input, "the question input").fill(step.type.text)
        elif isinstance(step, st.Send):
            self.send(step.send)
        elif isinstance(step, st.Click):
            self.press(self.locate(self.control(step.click), f"the '{step.click}' control"), step.click)
        elif isinstance(step, st.Reload):
            self.require_page().reload(wait_until="load")
        elif isinstance(step, st.Offline | st.Online):
            offline = isinstance(step, st.Offline)
            self.context.set_offline(offline)
            self.timeline.add("net.offline" if offline else "net.online", {})
        elif isinstance(step, st.WaitFor):
            self.wait_for(index, step.wait_for)
        elif isinstance(step, st.Advance):
            self.require_pacer().advance(step.advance.ms)
        elif isinstance(step, st.Heal):
            self.faults.heal(step.heal)
        elif isinstance(step, st.Inject):
            fault = self.scenario.fault(step.inject)
            assert fault is not None  # the loader checked it
            self.faults.inject(fault)
        elif isinstance(step, st.AddFault):
            self.faults.inject(step.add_fault)
        elif isinstance(step, st.Screenshot):
            self.screenshot(step.screenshot.name)
        elif isinstance(step, st.Check):
            if self.page is not None:
                self.snapshot_page()  # facts such as the input's value are read now
            failures = evaluate(step.check, self.timeline)
            if failures:
                failures.insert(
                    0, Failure(f"steps[{index}].check", "these expectations to hold mid-run", "they did not")
                )
                raise ExpectationFailed(failures, self.timeline)
        else:  # pragma: no cover - the model admits no other step
            raise TypeError(f"unhandled step {step!r}")

    # --- page ------------------------------------------------------------------

    def load(self, path: str) -> None:
        if self.page is None:
            self.page = self.context.new_page()
            watch_console(self.page, self.timeline)
            self.seed_storage()
            if self.scenario.clock == "virtual":
                # Before the first navigation, so every timer the widget sets is virtual.
                self.page.clock.install()
            background = frozenset(p for p in (self.profile.api.analytics, self.profile.api.telemetry) if p)
            self.pacer = Pacer(
                self.page, self.timeline, virtual=self.scenario.clock == "virtual", background=background,
                on_tick=lambda: self.deadline.check(self.where),
            )
        self.require_page().goto(self.url(path), wait_until="load")
        # The app may still be starting (its config fetch, say): a fault injected
        # next must meet the widget, not the boot sequence.
        if self.profile.ready_selector:
            try:
                self.require_page().locator(self.profile.ready_selector).first.wait_for(state="attached")
            except PlaywrightError:
                raise ExpectationFailed(
                    [Failure("load_page", f"the app to boot ('{self.profile.ready_selector}' present)",
                             f"it was not there within {ACTION_TIMEOUT_MS} ms")],
                    self.timeline,
                ) from None

    def url(self, path: str) -> str:
        url = self.base_url.rstrip("/") + (path if path != "/" else self.profile.path)
        flags = self.scenario.given.flags
        if flags and self.profile.flag_param:
            value = ",".join(f"{k}:{int(v)}" for k, v in sorted(flags.items()))
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode({self.profile.flag_param: value})
        return url

    def seed_storage(self) -> None:
        """Storage from ``given``, written once per tab (a reload keeps what the widget did)."""
        given = self.scenario.given
        if not (given.local_storage or given.session_storage):
            return

        def encode(values: dict[str, Any]) -> dict[str, str]:
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}

        local, session = json.dumps(encode(given.local_storage)), json.dumps(encode(given.session_storage))
        script = (
            "(() => { if (sessionStorage.getItem('__chaos_seeded')) return;"
            f" const l = {local}; const s = {session};"
            " for (const [k, v] of Object.entries(l)) localStorage.setItem(k, v);"
            " for (const [k, v] of Object.entries(s)) sessionStorage.setItem(k, v);"
            " sessionStorage.setItem('__chaos_seeded', '1'); })();"
        )
        self.require_page().add_init_script(script)

    def open_widget(self) -> None:
        if self.profile.launcher is not None:
            self.locate(self.profile.launcher, "the launcher").click()

    def control(self, name: str) -> Any:
        if name not in self.profile.controls:
            known = ", ".join(sorted(self.profile.controls))
            raise ExpectationFailed(
                [Failure("click", f"a control named '{name}' in target '{self.profile.name}'", f"known: {known}")],
                self.timeline,
            )
        return self.profile.controls[name]

    def locate(self, spec: Any, what: str) -> Locator:
        """A locator that fails as a widget verdict, in words, when the element is missing."""
        page = self.require_page()
        locator = page.get_by_role(cast(Any, spec.role), name=spec.name, exact=True)
        try:
            locator.wait_for(state="visible")
        except PlaywrightError:
            raise ExpectationFailed(
                [
                    Failure(
                        "page",
                        f"{what} ({spec.role} named '{spec.name}') to be visible",
                        f"it was not there within {ACTION_TIMEOUT_MS} ms",
                    )
                ],
                self.timeline,
            ) from None
        return locator

    def press(self, locator: Locator, name: str) -> bool:
        """Click like a user: a disabled control is noted, not forced (that is the widget's answer)."""
        if not locator.is_enabled():
            self.timeline.add("step.control_disabled", {"control": name})
            return False
        locator.click()
        return True

    def send(self, args: st.SendArgs) -> None:
        for n in range(1, args.repeat + 1):
            text = args.text if args.repeat == 1 else f"{args.text} {n}"
            self.locate(self.profile.input, "the question input").fill(text)
            posts_before = count_requests(self.timeline, "POST", self.profile.api.chat)
            if not self.press(self.locate(self.profile.control("send"), "the Send button"), "send"):
                return
            if n < args.repeat:
                self.settle_send(posts_before)

    def settle_send(self, posts_before: int) -> None:
        """Wait until a send has been made and its status has left ``syncing``."""
        tl = self.timeline

        def settled() -> bool:
            statuses = tl.statuses()
            return count_requests(tl, "POST", self.profile.api.chat) > posts_before and bool(statuses) \
                and statuses[-1] != "syncing" and not in_flight(tl)

        self.require_pacer().until(settled, 30_000)

    def screenshot(self, name: str) -> Path:
        self.artifacts.mkdir(parents=True, exist_ok=True)
        path = self.artifacts / f"{len(self.screenshots):02d}-{name}.png"
        self.require_page().screenshot(path=str(path))
        self.screenshots.append(path)
        self.timeline.add("artifact.screenshot", {"name": name, "path": str(path)})
        return path

    def snapshot_page(self) -> None:
        """What the page shows at the end, read once, into the timeline."""
        page = self.require_page()
        facts = page.evaluate(
            """(launcher) => ({
                injected_script_ran: Boolean(window.__chaosInjected),
                launcher_present: [...document.querySelectorAll('button')].some(
                    (b) => (b.getAttribute('aria-label') || b.textContent || '').trim() === launcher),
                session_id: localStorage.getItem('chat-assistant-session-id'),
            })""",
            self.profile.launcher.name if self.profile.launcher else "",
        )
        input_loc = page.get_by_role(cast(Any, self.profile.input.role), name=self.profile.input.name, exact=True)
        facts["input_value"] = input_loc.input_value() if input_loc.count() == 1 else None
        facts["widget_present"] = bool(facts["launcher_present"]) or input_loc.count() > 0
        self.timeline.add("page.snapshot", facts)

    def read_server_history(self) -> None:
        """What the server stored for this session (faults are healed by now)."""
        snapshots = self.timeline.events("page.snapshot")
        session_id = snapshots[-1].data.get("session_id") if snapshots else None
        if not session_id:
            return
        query = urllib.parse.urlencode({"sessionId": session_id})
        url = f"{self.base_url.rstrip('/')}{self.profile.api.chat}?{query}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = json.loads(response.read())
        except (OSError, ValueError) as exc:
            self.timeline.add("server.history", {"error": str(exc)})
            return
        messages = body.get("messages", []) if isinstance(body, dict) else []
        self.timeline.add("server.history", {"messages": messages})

    # --- waiting ---------------------------------------------------------------

    def wait_for(self, index: int, args: st.WaitForArgs) -> None:
        since = len(self.timeline)
        condition, wanted = self.condition(args, since)
        outcome = self.require_pacer().until(condition, args.timeout_ms)
        if self.page is not None:
            self.screenshot(f"wait-{index}")
        if not outcome.met:
            raise ExpectationFailed(
                [
                    Failure(
                        f"steps[{index}].wait_for",
                        f"{wanted} within {args.timeout_ms} ms of virtual time",
                        f"{self.describe_now()} after {outcome.virtual_ms:.0f} ms ({outcome.reason})",
                    )
                ],
                self.timeline,
            )

    def condition(self, args: st.WaitForArgs, since: int) -> tuple[Callable[[], bool], str]:
        tl = self.timeline
        if args.status is not None:
            wanted = args.status

            def status_reached() -> bool:
                recent = tl.events("ui.status")
                return bool(recent) and (
                    recent[-1].data["status"] == wanted
                    or any(e.seq >= since and e.data["status"] == wanted for e in recent)
                )

            return status_reached, f"the badge to reach '{wanted}'"
        if args.toast is not None:
            title = args.toast
            return (
                lambda: any(e.data.get("title") == title for e in tl.events("ui.toast"))
            ), f"a toast titled '{title}'"
        if args.text is not None:
            text = args.text

            def text_shown() -> bool:
                for e in reversed(tl.events("ui")):
                    if e.kind in ("ui.messages", "ui.fallback"):
                        if text in str(e.data.get("last_text", "")) or text in str(e.data.get("text", "")):
                            return True
                return False

            return text_shown, f"the text '{text}' on screen"
        if args.fallback is not None:
            shown = args.fallback

            def fallback_state() -> bool:
                events = tl.events("ui.fallback")
                return bool(events) and (int(events[-1].data.get("count", 0)) > 0) == shown

            return fallback_state, "the fallback message " + ("shown" if shown else "gone")
        assert args.request is not None
        match = args.request

        def requests_made() -> bool:
            return count_requests(tl, match.method, match.path) >= match.count

        return requests_made, f"{match.count} request(s) {match.method or 'ANY'} {match.path}"

    def describe_now(self) -> str:
        statuses = " → ".join(self.timeline.statuses()) or "no status"
        toasts = [str(e.data.get("title")) for e in self.timeline.events("ui.toast")]
        return f"statuses {statuses}; toasts {toasts or 'none'}"

    def require_page(self) -> Page:
        if self.page is None:
            raise ExpectationFailed(
                [Failure("steps", "load_page or open_widget before this step", "no page was open")], self.timeline
            )
        return self.page

    def require_pacer(self) -> Pacer:
        self.require_page()
        assert self.pacer is not None
        return self.pacer


def count_requests(timeline: Timeline, method: str | None, path: str) -> int:
    return sum(1 for e in timeline.events("net.request") if request_matches(e.data, method, path))


def request_matches(data: dict[str, Any], method: str | None, path: str) -> bool:
    if method and str(data.get("method", "")).upper() != method.upper():
        return False
    url = str(data.get("url", "")).split("?", 1)[0]
    return url.startswith(path[:-1]) if path.endswith("*") else url == path


def _args(step: Any) -> Any:
    dumped = step.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return next(iter(dumped.values()), None) if isinstance(dumped, dict) else dumped
