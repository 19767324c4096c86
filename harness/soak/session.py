"""One soak session: a person's conversation with the widget, in its own browser context.

Mount, a few questions, a reload, a few more, at a person's pace and in real
time (a soak measures real sync durations and real backoff, so no virtual
clock here). The session reacts as a person would: after "Message not sent"
it waits out the countdown and sends again; after an outage it presses
"Retry connection". It reads the page through the target profile only, so it
drives any widget a profile describes.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from playwright.async_api import Browser, Page
from playwright.async_api import Error as PlaywrightError

from harness.soak.mix import Conversation
from harness.soak.proxy import SESSION_HEADER
from harness.targets import TargetProfile

POLL_S = 0.1
ACTION_TIMEOUT_MS = 15_000

READ_STATE = """([statusSel, attr, textMap, msgSel, roleAttr, guidanceSel]) => {
  const el = document.querySelector(statusSel);
  let status = null;
  if (el) {
    if (attr) status = el.getAttribute(attr);
    else { const t = (el.textContent || "").trim(); status = (textMap || {})[t] ?? ("unknown:" + t); }
  }
  const roles = [...document.querySelectorAll(msgSel)].map((m) => m.getAttribute(roleAttr));
  return {
    status,
    assistant: roles.filter((r) => r === "assistant").length,
    guidance: guidanceSel ? document.querySelector(guidanceSel) !== null : false,
  };
}"""


@dataclass
class SessionRecord:
    """What one session did and saw; the figures come from the proxy's records, not from here."""

    session: int
    worker: int
    started: float = 0.0
    ended: float = 0.0
    sends: int = 0
    resends: int = 0  # after "Message not sent", once the countdown allowed
    retry_clicks: int = 0  # "Retry connection" pressed after an outage
    outcomes: list[str] = field(default_factory=list)  # per send / sync: answered, failed, not-sent, synced, ...
    stuck: list[str] = field(default_factory=list)  # waits that ran out: the widget never settled
    aborted: str | None = None  # the harness could not drive the page (never a widget verdict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Session:
    browser: Browser
    base_url: str
    profile: TargetProfile
    conversation: Conversation
    record: SessionRecord
    seed: int
    context_args: dict[str, Any] = field(default_factory=dict)

    async def run(self) -> SessionRecord:
        self.record.started = time.time()
        context = await self.browser.new_context(
            extra_http_headers={SESSION_HEADER: str(self.record.session)}, **self.context_args
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        try:
            page = await context.new_page()
            await self.converse(page)
        except (PlaywrightError, TimeoutError) as exc:
            self.record.aborted = str(exc).splitlines()[0][:300]
        finally:
            self.record.ended = time.time()
            try:
                await context.close()
            except PlaywrightError:
                pass
        return self.record

    async def converse(self, page: Page) -> None:
        talk = self.conversation
        rng = random.Random(f"{self.seed}:{self.record.session}:conversation")
        await self.mount(page)
        for turn in range(talk.sends):
            await self.think(page, rng)
            await self.send(page, talk.questions[(self.record.session + turn) % len(talk.questions)])
        if talk.reload:
            await self.think(page, rng)
            await page.reload(wait_until="load")
            await self.mount(page, loaded=True)
            for turn in range(talk.sends_after_reload):
                await self.think(page, rng)
                await self.send(page, talk.questions[(self.record.session + talk.sends + turn) % len(talk.questions)])

    async def think(self, page: Page, rng: random.Random) -> None:
        low, high = self.conversation.think_ms
        await page.wait_for_timeout(rng.uniform(low, high))

    # --- the widget ----------------------------------------------------------------

    async def mount(self, page: Page, *, loaded: bool = False) -> None:
        if not loaded:
            await page.goto(self.base_url.rstrip("/") + self.profile.path, wait_until="load")
        if self.profile.ready_selector:
            await page.locator(self.profile.ready_selector).first.wait_for(state="attached")
        if self.profile.launcher is not None:
            await self.by_role(page, self.profile.launcher).click()
        state = await self.until(page, lambda s: s["status"] in ("connected", "error"), "the first sync")
        self.record.outcomes.append("synced" if state and state["status"] == "connected" else "sync-failed")
        if state and state["status"] == "error":
            await self.retry_connection(page)

    async def send(self, page: Page, question: str) -> None:
        before = await self.state(page)
        if before["guidance"] or before["status"] == "syncing":
            await self.until(page, lambda s: not s["guidance"] and s["status"] != "syncing", "a calm widget")
        before = await self.state(page)
        await self.by_role(page, self.profile.input).fill(question)
        await self.by_role(page, self.profile.control("send")).click()
        self.record.sends += 1
        state = await self.after_click(page, before, f"an answer to '{question}'")
        if state is None:
            return
        if state["status"] == "error":
            self.record.outcomes.append("failed")
            await self.retry_connection(page)
        elif state["assistant"] > before["assistant"]:
            self.record.outcomes.append("answered")
        else:  # "Message not sent": wait for the countdown, as a person would, then send again
            self.record.outcomes.append("not-sent")
            send = self.by_role(page, self.profile.control("send"))
            await self.by_role(page, self.profile.input).fill(question)
            deadline = time.monotonic() + self.conversation.settle_timeout_ms / 1000
            while not await send.is_enabled() and time.monotonic() < deadline:
                await asyncio.sleep(POLL_S)
            before = await self.state(page)
            await send.click()
            self.record.resends += 1
            state = await self.after_click(page, before, f"a resend of '{question}'")
            if state is not None:
                self.record.outcomes.append("answered" if state["assistant"] > before["assistant"] else
                                            "failed" if state["status"] == "error" else "not-sent")

    async def after_click(self, page: Page, before: dict[str, Any], what: str) -> dict[str, Any] | None:
        """Wait for the send to start (syncing, or an instant outcome), then for it to settle.

        Without the first wait, a widget still showing ``error`` from an earlier
        outage would look settled before the new send even began.
        """
        started = await self.until(
            page, lambda s: s["status"] == "syncing" or s["assistant"] > before["assistant"] or s["guidance"],
            f"{what} to start", quiet=True, timeout_ms=5_000,
        )
        if started is not None and settled(started, before["assistant"]):
            return started
        return await self.until(page, lambda s: settled(s, before["assistant"]), what)

    async def retry_connection(self, page: Page) -> None:
        retry = self.profile.controls.get("retry_connection")
        if retry is None:
            return
        button = self.by_role(page, retry)
        if not await button.count():
            return
        await button.first.click()
        self.record.retry_clicks += 1
        state = await self.until(page, lambda s: s["status"] in ("connected", "error") and s["status"] != "syncing",
                                 "the retried sync", settle_first=True)
        self.record.outcomes.append("resynced" if state and state["status"] == "connected" else "resync-failed")

    # --- reading ---------------------------------------------------------------------

    def by_role(self, page: Page, spec: Any) -> Any:
        return page.get_by_role(cast(Any, spec.role), name=spec.name, exact=True)

    async def state(self, page: Page) -> dict[str, Any]:
        rule, messages = self.profile.status, self.profile.messages
        args = [rule.selector, rule.attribute, rule.text_map, messages.selector, messages.role_attribute,
                self.profile.guidance_selector]
        return cast(dict[str, Any], await page.evaluate(READ_STATE, args))

    async def until(
        self, page: Page, done: Any, what: str, *, settle_first: bool = False, quiet: bool = False,
        timeout_ms: int | None = None,
    ) -> dict[str, Any] | None:
        """Poll the page until ``done(state)``; ``None`` (and a note unless ``quiet``) if it never does."""
        bound = timeout_ms if timeout_ms is not None else self.conversation.settle_timeout_ms
        deadline = time.monotonic() + bound / 1000
        if settle_first:
            await asyncio.sleep(POLL_S * 3)  # let the click's own transition (to syncing) show first
        while time.monotonic() < deadline:
            state = await self.state(page)
            if done(state):
                return state
            await asyncio.sleep(POLL_S)
        if not quiet:
            self.record.stuck.append(f"{what}: still {(await self.state(page))['status']} after {bound} ms")
        return None


def settled(state: dict[str, Any], assistant_before: int) -> bool:
    """A send is over: answered (connected), failed for good (error), or handed back (guidance)."""
    if state["status"] == "syncing":
        return False
    return state["assistant"] > assistant_before or state["status"] == "error" or bool(state["guidance"])
