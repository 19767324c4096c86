"""A gallery per run: the widget in each status and with each piece of copy, as the user saw it.

The support desk signs off the badge texts, toasts, the fallback message, the
"Retry connection" CTA and the inline guidance from it, without running anything.

Capture happens in the worker, from the timeline: when a UI event shows a piece of
copy this worker has not photographed yet, the page is photographed right then
(the event arrives through the probes' binding, on Playwright's thread, so the
page is usable). Each worker photographs each piece once, so the cost is a
handful of screenshots per run, not per scenario.

Each photograph is written into the Allure results directory as a *global*
attachment (Allure 3 lists them under "Global Attachments"), with what it shows
kept beside it in the same ``-globals.json`` file. So the gallery needs no
option, and travels with the results when CI shards are merged. Assembly
(``assemble``) keeps one photograph per piece of copy across workers and shards
and adds one self-contained HTML page of them.
"""

from __future__ import annotations

import base64
import html
import json
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from harness.reporting.clock import PageClock
from harness.timeline import Event, Timeline

SECTIONS = ("Status badge", "Toast", "Fallback message", "Retry connection CTA", "Inline guidance")
STATUS_ORDER = ("idle", "syncing", "connected", "error")
MAX_PER_SECTION = 8  # guidance with a countdown could otherwise fill the gallery
SHOT_TIMEOUT_MS = 3_000
META_KEY = "chaosGallery"  # our key inside an Allure ``-globals.json``; Allure ignores it
PAGE_NAME = "Gallery: widget copy and controls"
PAGE_STEM = "chaos-gallery"  # fixed, so rendering twice replaces the page instead of adding one


@dataclass(frozen=True)
class Copy:
    """One piece of what the user sees: a badge, a toast, the fallback, the CTA, guidance."""

    key: str
    section: str
    text: str


@dataclass
class Shot:
    key: str
    section: str
    text: str
    scenario: str
    page_ms: float
    image: str


def copy_in(event: Event) -> list[Copy]:
    """The copy a UI event puts on screen (nothing for events that take copy away)."""
    d = event.data
    if event.kind == "ui.status" and d.get("status"):
        return [Copy(f"status:{d['status']}", "Status badge", f"{d['status']}: {d.get('text') or '(no badge text)'}")]
    if event.kind == "ui.toast" and d.get("title"):
        desc = f" — {d['description']}" if d.get("description") else ""
        return [Copy(f"toast:{d['title']}", "Toast", f"{d['title']}{desc}")]
    if event.kind == "ui.fallback" and int(d.get("count") or 0) > 0:
        return [Copy(f"fallback:{d.get('text')}", "Fallback message", str(d.get("text") or ""))]
    if event.kind == "ui.retry_cta" and d.get("present"):
        return [Copy("retry_cta", "Retry connection CTA", "Retry connection (shown)")]
    if event.kind == "ui.guidance" and d.get("text"):
        return [Copy(f"guidance:{d['text']}", "Inline guidance", str(d["text"]))]
    return []


KIND_OF = {"status": "ui.status", "fallback": "ui.fallback", "retry_cta": "ui.retry_cta", "guidance": "ui.guidance"}
MAX_ROUNDS = 4  # photographs per burst of new copy; copy that keeps changing is caught in a later scenario
MAX_TRIES = 6  # photographs per piece of copy per worker, kept or not: a bound on what the gallery costs


@dataclass
class Album:
    """One worker's gallery state, shared by its scenarios: what is photographed, what was tried."""

    taken: dict[str, str] = field(default_factory=dict)  # copy key → section
    tries: dict[str, int] = field(default_factory=dict)

    def wants(self, copy: Copy) -> bool:
        in_section = sum(1 for section in self.taken.values() if section == copy.section)
        return copy.key not in self.taken and self.tries.get(copy.key, 0) < MAX_TRIES \
            and in_section < MAX_PER_SECTION


def still_shown(copy: Copy, before: list[Event], during: list[Event]) -> bool:
    """Whether a photograph taken across ``during`` shows ``copy``: shown before it, unchanged while it ran.

    The page keeps running while it is photographed, so a status that lasted 8 ms
    is gone by the time the picture exists; such a picture is not kept.
    """
    kind = KIND_OF.get(copy.key.split(":", 1)[0])
    if kind is None:  # a toast stays on screen for seconds once it appeared
        return True
    if any(e.kind == kind for e in during):
        return False
    last = next((e for e in reversed(before) if e.kind == kind), None)
    return last is not None and any(c.key == copy.key for c in copy_in(last))


# The widget's panel (the status badge's nearest large container) and every toast,
# padded: the photograph shows the widget, not the whole page around it.
CLIP_JS = """([badge, extras, attribute]) => {
  const el = document.querySelector(badge);
  if (!el) return {clip: null, status: null};
  const status = attribute ? el.getAttribute(attribute) : null;
  let panel = el.closest('[role=dialog],[role=region],[role=complementary],aside');
  for (let p = el; !panel && p && p !== document.body; p = p.parentElement) {
    if (p.getBoundingClientRect().height >= 240) panel = p;
  }
  const rects = [(panel || el).getBoundingClientRect()];
  for (const sel of extras) for (const e of document.querySelectorAll(sel)) rects.push(e.getBoundingClientRect());
  const seen = rects.filter((r) => r.width > 0 && r.height > 0);
  if (!seen.length) return {clip: null, status};
  const pad = 12;
  const x = Math.max(0, Math.min(...seen.map((r) => r.left)) - pad);
  const y = Math.max(0, Math.min(...seen.map((r) => r.top)) - pad);
  const right = Math.min(window.innerWidth, Math.max(...seen.map((r) => r.right)) + pad);
  const bottom = Math.min(window.innerHeight, Math.max(...seen.map((r) => r.bottom)) + pad);
  return {clip: {x, y, width: right - x, height: bottom - y}, status};
}"""


class Camera:
    """Photographs new copy as it appears on one page; one per scenario, sharing an ``Album`` per worker.

    ``badge`` is the status badge's CSS selector and ``extras`` the selectors of
    copy outside the panel (toasts): they set the frame. Without them, or when
    they match nothing, the whole viewport is photographed.
    """

    def __init__(self, results: Path, scenario: str, album: Album, timeline: Timeline, *,
                 badge: str | None = None, extras: tuple[str, ...] = (), status_attribute: str | None = None) -> None:
        self.results = results
        self.scenario = scenario
        self.album = album
        self.timeline = timeline
        self.badge = badge
        self.extras = list(extras)
        self.status_attribute = status_attribute
        self.page: Page | None = None
        self.busy = False
        self.pending: dict[str, Copy] = {}
        self.thread = threading.get_ident()

    def watch(self, page: Page) -> None:
        if self.page is None:
            self.page = page
            self.timeline.subscribe(self.on_event)

    def on_event(self, event: Event) -> None:
        if self.page is None or event.source != "page" or threading.get_ident() != self.thread:
            return
        for copy in copy_in(event):
            if self.album.wants(copy):
                self.pending[copy.key] = copy
        if self.busy or not self.pending:
            return  # a photograph is being taken: the loop below picks this copy up after it
        self.busy = True
        try:
            for _ in range(MAX_ROUNDS):
                if not self.pending:
                    break
                self.photograph()
        finally:
            self.busy = False
            self.pending.clear()

    def photograph(self) -> None:
        assert self.page is not None
        batch, self.pending = self.pending, {}
        before = self.timeline.events()
        try:
            frame = self.page.evaluate(CLIP_JS, [self.badge, self.extras, self.status_attribute]) \
                if self.badge else {"clip": None, "status": None}
            live = frame.get("status")
            # A badge already gone costs one evaluate, not a photograph (nor a try).
            batch = {k: c for k, c in batch.items() if not (k.startswith("status:") and live and k != f"status:{live}")}
            if not batch:
                return
            png = self.page.screenshot(timeout=SHOT_TIMEOUT_MS, clip=frame.get("clip") or None)
        except PlaywrightError:
            return  # the page navigated or closed: a later scenario will show this copy again
        during = self.timeline.events()[len(before):]
        page_ms = PageClock.of(before).at(before[-1]) if before else 0.0
        for copy in batch.values():
            self.album.tries[copy.key] = self.album.tries.get(copy.key, 0) + 1
            if copy.key not in self.album.taken and still_shown(copy, before, during):
                self.album.taken[copy.key] = copy.section
                save_shot(self.results, png, Shot(copy.key, copy.section, copy.text, self.scenario, page_ms, ""))


def save_shot(results: Path, png: bytes, shot: Shot) -> Path:
    """The photograph as an Allure global attachment, with its caption data beside it."""
    results.mkdir(parents=True, exist_ok=True)
    stem = str(uuid.uuid4())
    image = results / f"{stem}-attachment.png"
    image.write_bytes(png)
    shot.image = image.name
    globals_doc = {
        "attachments": [{"name": f"gallery · {shot.section} · {shot.text}"[:200], "source": image.name,
                         "type": "image/png", "timestamp": int(time.time() * 1000)}],
        "errors": [],
        META_KEY: asdict(shot),
    }
    (results / f"{stem}-globals.json").write_text(json.dumps(globals_doc, ensure_ascii=False))
    return image


def read_shots(results: Path) -> dict[Path, Shot]:
    """Every gallery photograph in a results directory, by its ``-globals.json`` file."""
    shots: dict[Path, Shot] = {}
    for path in sorted(results.glob("*-globals.json")):
        try:
            meta = json.loads(path.read_text()).get(META_KEY)
            if isinstance(meta, dict):
                shots[path] = Shot(**meta)
        except (ValueError, TypeError, AttributeError):
            continue
    return shots


def choose(shots: Iterable[Shot]) -> list[Shot]:
    """One shot per piece of copy, the same one whichever worker or shard took it first."""
    best: dict[str, Shot] = {}
    for shot in sorted(shots, key=lambda s: (s.key, s.scenario, s.page_ms, s.image)):
        best.setdefault(shot.key, shot)
    return sorted(best.values(), key=_order)


def _order(shot: Shot) -> tuple[int, int, str]:
    section = SECTIONS.index(shot.section) if shot.section in SECTIONS else len(SECTIONS)
    status = shot.key.removeprefix("status:")
    rank = STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)
    return section, rank, shot.text


STYLE = """
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, sans-serif; margin: 16px; color: #1f2328; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; border-bottom: 1px solid #d8dee4; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 16px; align-items: start; }
figure { margin: 0; border: 1px solid #d8dee4; border-radius: 6px; overflow: hidden; background: #fff; }
figure img { max-width: 100%; display: block; margin: 0 auto; border-bottom: 1px solid #d8dee4; }
figcaption { padding: 8px 10px; } .copy { font-weight: 600; } .from { color: #57606a; font-size: 12px; }
"""


def gallery_html(shots: list[Shot], directory: Path, *, title: str = "Widget copy and controls") -> str:
    """A self-contained page (images inlined), so it travels as one file and as an Allure attachment."""
    body = [f"<h1>{html.escape(title)}</h1>",
            "<p>Each piece of copy the widget showed during this run, photographed when it first appeared. "
            "Sign-off list for the exit criteria: badge per status, toasts, fallback message, retry CTA, inline "
            "guidance.</p>"]
    if not shots:
        body.append("<p><em>No copy was photographed in this run.</em></p>")
    for section in (*SECTIONS, *sorted({s.section for s in shots} - set(SECTIONS))):
        mine = [s for s in shots if s.section == section]
        if not mine:
            body.append(f"<h2>{html.escape(section)}</h2><p><em>not seen in this run</em></p>")
            continue
        figures = []
        for shot in mine:
            data = base64.b64encode((directory / shot.image).read_bytes()).decode()
            figures.append(
                f'<figure><img alt="{html.escape(shot.text)}" src="data:image/png;base64,{data}">'
                f'<figcaption><div class="copy">{html.escape(shot.text)}</div>'
                f'<div class="from">scenario {html.escape(shot.scenario)}, page time {shot.page_ms / 1000:.2f} s'
                "</div></figcaption></figure>"
            )
        body.append(f"<h2>{html.escape(section)}</h2><div class=\"grid\">{''.join(figures)}</div>")
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>")


def assemble(results: Path, output: Path | None = None) -> Path | None:
    """Keep one photograph per piece of copy, add the gallery page; returns the page, or None.

    Duplicates (the same copy photographed by several workers or shards) are
    removed from ``results``, so Allure's Global Attachments list each once. The
    page goes into ``results`` as a global attachment, and to ``output`` when given.
    """
    found = read_shots(results)
    if not found:
        return None
    kept = choose(found.values())
    keep = {s.image for s in kept}
    for path, shot in found.items():
        if shot.image not in keep:
            path.unlink(missing_ok=True)
            (results / shot.image).unlink(missing_ok=True)
    page = gallery_html(kept, results)
    attachment = results / f"{PAGE_STEM}-attachment.html"
    attachment.write_text(page, encoding="utf-8")
    (results / f"{PAGE_STEM}-globals.json").write_text(json.dumps({
        "attachments": [{"name": PAGE_NAME, "source": attachment.name, "type": "text/html",
                         "timestamp": int(time.time() * 1000)}],
        "errors": [],
    }))
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    return output or attachment
