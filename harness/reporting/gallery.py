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
from dataclasses import asdict, dataclass
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


class Camera:
    """Photographs new copy as it appears on one page; one per scenario, sharing ``taken`` per worker."""

    def __init__(self, results: Path, scenario: str, taken: dict[str, str], timeline: Timeline) -> None:
        self.results = results
        self.scenario = scenario
        self.taken = taken  # copy key → section, for the whole worker
        self.timeline = timeline
        self.page: Page | None = None
        self.busy = False
        self.thread = threading.get_ident()

    def watch(self, page: Page) -> None:
        if self.page is None:
            self.page = page
            self.timeline.subscribe(self.on_event)

    def on_event(self, event: Event) -> None:
        if self.page is None or self.busy or event.source != "page" or threading.get_ident() != self.thread:
            return
        fresh = [c for c in copy_in(event) if c.key not in self.taken and self._room(c)]
        if not fresh:
            return
        self.busy = True  # the screenshot lets more events in; they must not photograph again
        try:
            png = self.page.screenshot(timeout=SHOT_TIMEOUT_MS)
        except PlaywrightError:
            return  # the page navigated or closed: the next scenario will show this copy again
        finally:
            self.busy = False
        page_ms = PageClock.of(self.timeline.events()).at(event)
        for copy in fresh:
            self.taken[copy.key] = copy.section
            save_shot(self.results, png, Shot(copy.key, copy.section, copy.text, self.scenario, page_ms, ""))

    def _room(self, copy: Copy) -> bool:
        return sum(1 for section in self.taken.values() if section == copy.section) < MAX_PER_SECTION


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
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid #d8dee4; border-radius: 6px; overflow: hidden; background: #fff; }
figure img { width: 100%; display: block; border-bottom: 1px solid #d8dee4; }
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
