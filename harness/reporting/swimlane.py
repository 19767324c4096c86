"""A swimlane chart of one run as SVG: steps, UI status, copy, toasts, requests, faults.

Everything sits on the page's clock (see ``clock.py``), so a fault that fired, the
request it hit, the status that followed and the toast the user saw line up
vertically. Plain SVG written by hand: no plotting dependency, a few kilobytes,
and Allure shows it as an image.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from harness.reporting.clock import PageClock
from harness.timeline import Event

WIDTH = 1100
LEFT = 130
RIGHT = 24
ROW = 18
CHAR_W = 6.1  # average width of an 11px sans-serif character, for label packing

STATUS_COLOURS = {"idle": "#9aa5b1", "syncing": "#f2c94c", "connected": "#27ae60", "error": "#eb5757"}
OUTCOME_COLOURS = {"ok": "#6fcf97", "client": "#f2994a", "server": "#eb5757", "network": "#333333",
                   "open": "#bdbdbd", "background": "#d9dde3"}


@dataclass
class Packer:
    """Puts labels in the first row where they do not overlap the previous one."""

    rows: int
    ends: list[float] = field(default_factory=list)

    def place(self, x: float, width: float) -> int | None:
        if not self.ends:
            self.ends = [-math.inf] * self.rows
        for row, end in enumerate(self.ends):
            if x >= end + 4:
                self.ends[row] = x + width
                return row
        return None


def nice_step(span_ms: float, target: int = 10) -> float:
    """A tick step of 1, 2 or 5 × 10^k ms giving at most ``target`` ticks."""
    raw = max(span_ms / target, 1.0)
    power = float(10 ** math.floor(math.log10(raw)))
    return next(float(m * power) for m in (1, 2, 5, 10) if m * power >= raw)


def label_at(x: float, width: float, gap: float = 16) -> tuple[float, float, str]:
    """Where a label meant to start at ``x`` goes: (anchor x, left edge, SVG anchor attribute).

    Near the right edge it is flipped to end left of its mark, so it is never cut off.
    """
    if x + width > WIDTH - 4:
        return x - gap, x - gap - width, ' text-anchor="end"'
    return x, x, ""


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def outcome(status: object, error: object) -> str:
    if error:
        return "network"
    if not isinstance(status, int):
        return "open"
    return "ok" if status < 400 else "client" if status < 500 else "server"


def swimlane_svg(events: Sequence[Event], *, title: str, background: frozenset[str] = frozenset(),
                 chat_path: str | None = None) -> str:
    """The chart for one run. ``background`` paths (analytics, telemetry) are drawn muted."""
    clock = PageClock.of(events)
    end = max((clock.at(e) for e in events), default=0.0)
    span = max(end, 1.0) * 1.02
    plot = WIDTH - LEFT - RIGHT

    def x(t: float) -> float:
        return LEFT + min(max(t, 0.0), span) / span * plot

    parts: list[str] = []
    y = 34.0

    def lane_label(top: float, height: float, name: str) -> None:
        parts.append(f'<rect x="0" y="{top:.1f}" width="{WIDTH}" height="{height:.1f}" fill="#f6f8fa" '
                     f'opacity="0.6"/>')
        parts.append(f'<text x="8" y="{top + height / 2 + 4:.1f}" class="lane">{_esc(name)}</text>')

    # --- steps ----------------------------------------------------------------
    steps = [e for e in events if e.kind == "step.start"]
    packer = Packer(3)
    lane_label(y, 3 * ROW + 6, "steps")
    for step in steps:
        sx = x(clock.at(step))
        label = _short(_step_label(step), 34)
        lx, left, anchor = label_at(sx + 3, len(label) * CHAR_W, gap=6)
        row = packer.place(left, len(label) * CHAR_W)
        parts.append(f'<line x1="{sx:.1f}" x2="{sx:.1f}" y1="{y:.1f}" y2="@BOTTOM@" class="step"/>')
        if row is not None:
            parts.append(f'<text x="{lx:.1f}" y="{y + 13 + row * ROW:.1f}"{anchor}>'
                         f"{_esc(label)}</text>")
    y += 3 * ROW + 10

    # --- UI status ----------------------------------------------------------------
    lane_label(y, ROW + 8, "UI status")
    statuses = [e for e in events if e.kind == "ui.status"]
    for n, event in enumerate(statuses):
        t0 = clock.at(event)
        t1 = clock.at(statuses[n + 1]) if n + 1 < len(statuses) else end
        x0, x1 = x(t0), max(x(t1), x(t0) + 2)
        status = str(event.data.get("status"))
        colour = STATUS_COLOURS.get(status, "#bb6bd9")
        badge = str(event.data.get("text") or "")
        parts.append(f'<rect x="{x0:.1f}" y="{y + 4:.1f}" width="{x1 - x0:.1f}" height="{ROW:.1f}" '
                     f'fill="{colour}"><title>{_esc(status)} {_esc(badge)} at {t0:.0f} ms</title></rect>')
        if x1 - x0 > len(status) * CHAR_W + 6:
            parts.append(f'<text x="{x0 + 3:.1f}" y="{y + 17:.1f}" class="on">{_esc(status)}</text>')
    y += ROW + 14

    # --- fallback, retry CTA, guidance --------------------------------------------------
    lane_label(y, 3 * 10 + 8, "fallback · CTA · guide")
    tracks: list[tuple[str, Callable[[dict[str, Any]], bool], str, str]] = [
        ("ui.fallback", lambda d: int(d.get("count") or 0) > 0, "#bb6bd9", "fallback"),
        ("ui.retry_cta", lambda d: bool(d.get("present")), "#2f80ed", "retry CTA"),
        ("ui.guidance", lambda d: bool(d.get("text")), "#f2994a", "guidance"),
    ]
    for row, (kind, shown, colour, name) in enumerate(tracks):
        changes = [e for e in events if e.kind == kind]
        for n, event in enumerate(changes):
            if not shown(event.data):
                continue
            t0 = clock.at(event)
            t1 = clock.at(changes[n + 1]) if n + 1 < len(changes) else end
            detail = str(event.data.get("text") or name)
            parts.append(f'<rect x="{x(t0):.1f}" y="{y + 4 + row * 10:.1f}" width="{max(x(t1) - x(t0), 2):.1f}" '
                         f'height="8" fill="{colour}"><title>{_esc(name)}: {_esc(detail)}</title></rect>')
    y += 3 * 10 + 14

    # --- toasts -------------------------------------------------------------------
    toasts = [e for e in events if e.kind == "ui.toast"]
    packer = Packer(2)
    lane_label(y, 2 * ROW + 6, "toasts")
    for event in toasts:
        tx = x(clock.at(event))
        toast = str(event.data.get("title") or "")
        cy = y + 11
        parts.append(f'<path d="M{tx:.1f} {cy - 6:.1f} l6 6 l-6 6 l-6 -6 z" fill="#2f80ed">'
                     f'<title>{_esc(toast)}: {_esc(event.data.get("description") or "")}</title></path>')
        label = _short(toast, 40)
        lx, left, anchor = label_at(tx + 8, len(label) * CHAR_W)
        row = packer.place(left, len(label) * CHAR_W)
        if row is not None:
            parts.append(f'<text x="{lx:.1f}" y="{y + 15 + row * ROW:.1f}"{anchor}>{_esc(label)}</text>')
    y += 2 * ROW + 10

    # --- requests -----------------------------------------------------------------
    bars = _request_bars(events, clock, end, background, chat_path)
    rows_end: list[float] = []
    placed: list[tuple[int, Bar]] = []
    for bar in bars:
        x0 = x(bar.start)
        width = max(x(bar.stop) - x0, 3)
        extent = x0 + max(width, len(bar.label) * CHAR_W + 4 if not bar.muted else width)
        row = next((r for r, e in enumerate(rows_end) if x0 >= e + 2), None)
        if row is None:
            rows_end.append(extent)
            row = len(rows_end) - 1
        else:
            rows_end[row] = extent
        placed.append((row, bar))
    height = max(len(rows_end), 1) * (ROW - 2) + 8
    lane_label(y, height, "requests")
    for row, bar in placed:
        x0 = x(bar.start)
        width = max(x(bar.stop) - x0, 3)
        top = y + 4 + row * (ROW - 2)
        colour = OUTCOME_COLOURS["background" if bar.muted else bar.outcome]
        dash = ' stroke="#333" stroke-dasharray="3 2"' if bar.outcome == "open" else ""
        parts.append(f'<rect x="{x0:.1f}" y="{top:.1f}" width="{width:.1f}" height="{ROW - 5}" rx="2" '
                     f'fill="{colour}"{dash}><title>{_esc(bar.tooltip)}</title></rect>')
        if not bar.muted:
            parts.append(f'<text x="{x0 + 3:.1f}" y="{top + 10:.1f}" class="small">{_esc(bar.label)}</text>')
    y += height + 6

    # --- faults -------------------------------------------------------------------
    faults = [e for e in events if e.kind in ("fault.fired", "fault.healed", "fault.installed")]
    packer = Packer(2)
    lane_label(y, 2 * ROW + 6, "faults")
    for event in faults:
        fx = x(clock.at(event))
        d = event.data
        cy = y + 11
        tip = f"{event.kind} {d.get('fault')} [{d.get('kind')}] {d.get('action') or d.get('reason') or ''}"
        if event.kind == "fault.fired":
            parts.append(f'<path d="M{fx - 6:.1f} {cy - 6:.1f} h12 l-6 11 z" fill="#c0392b">'
                         f"<title>{_esc(tip)}</title></path>")
            label = _short(f"{d.get('fault')} {d.get('action') or ''}".strip(), 36)
        else:
            fill = "#ffffff" if event.kind == "fault.healed" else "#c0392b"
            parts.append(f'<circle cx="{fx:.1f}" cy="{cy:.1f}" r="4" fill="{fill}" stroke="#c0392b">'
                         f"<title>{_esc(tip)}</title></circle>")
            label = f"{event.kind.removeprefix('fault.')} {d.get('fault')}"
        lx, left, anchor = label_at(fx + 8, len(label) * CHAR_W)
        row = packer.place(left, len(label) * CHAR_W)
        if row is not None:
            parts.append(f'<text x="{lx:.1f}" y="{y + 15 + row * ROW:.1f}" class="fault"{anchor}>{_esc(label)}</text>')
    y += 2 * ROW + 10

    # --- axis ---------------------------------------------------------------------
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#57606a"/>')
    every = nice_step(span)
    unit_s = span >= 2000
    tick = 0.0
    while tick <= span:
        tx = x(tick)
        text = f"{tick / 1000:g} s" if unit_s else f"{tick:g} ms"
        parts.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{y:.1f}" y2="{y + 5:.1f}" stroke="#57606a"/>')
        parts.append(f'<text x="{tx:.1f}" y="{y + 17:.1f}" text-anchor="middle" class="small">{text}</text>')
        tick += every
    parts.append(f'<text x="{LEFT}" y="{y + 32:.1f}" class="small">page clock since the page first spoke '
                 "(virtual time: a modelled minute of outage runs in a second)</text>")
    bottom = y + 40
    body = "\n".join(parts).replace("@BOTTOM@", f"{y:.1f}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{bottom:.0f}" '
        f'viewBox="0 0 {WIDTH} {bottom:.0f}" font-family="-apple-system, Segoe UI, Roboto, sans-serif" '
        'font-size="11">'
        "<style>.lane{font-weight:600;fill:#24292f}.small{font-size:10px}.on{fill:#111;font-weight:600}"
        ".fault{fill:#a40e26}.step{stroke:#8c959f;stroke-dasharray:2 3}</style>"
        f'<rect width="{WIDTH}" height="{bottom:.0f}" fill="#ffffff"/>'
        f'<text x="8" y="20" font-size="13" font-weight="600">{_esc(_short(title, 150))}</text>'
        f"{body}</svg>"
    )


def _step_label(step: Event) -> str:
    args = step.data.get("args")
    name = str(step.data.get("step"))
    if isinstance(args, dict) and args:
        key, value = next(iter(args.items()))
        return f"{name} {key}: {value}" if not isinstance(value, dict | list) else f"{name} {key}"
    if args not in (None, ""):
        return f"{name} {args}"
    return name


@dataclass
class Bar:
    start: float
    stop: float
    outcome: str
    label: str
    tooltip: str
    muted: bool


def _request_bars(events: Sequence[Event], clock: PageClock, end: float, background: frozenset[str],
                  chat_path: str | None) -> list[Bar]:
    """One bar per page request, from ``net.request`` to ``net.end``, coloured by how it ended."""
    bars: dict[str, Bar] = {}
    for event in events:
        d = event.data
        key = str(d.get("id"))
        if event.kind == "net.request":
            url = str(d.get("url", ""))
            path = url.split("?", 1)[0]
            muted = path in background
            short = "chat" if chat_path and path == chat_path else path.rsplit("/", 1)[-1] or path
            if "stream=1" in url:
                short += " stream"
            bars[key] = Bar(clock.at(event), end, "open", f"{d.get('method')} {short}", f"{d.get('method')} {url}",
                            muted)
        elif key in bars and event.kind in ("net.response", "net.error", "net.end"):
            bar = bars[key]
            if event.kind == "net.response":
                bar.outcome = outcome(d.get("status"), None)
                bar.label += f" {d.get('status')}"
                bar.tooltip += f" → {d.get('status')}"
            elif event.kind == "net.error":
                bar.outcome = "network"
                bar.label += " ✕"
                bar.tooltip += f" → {d.get('error')}"
            if event.kind == "net.end":
                bar.stop = clock.at(event)
                if bar.outcome == "open":
                    bar.outcome = "network" if d.get("error") else "ok"
                bar.tooltip += f" ({d.get('ms')} ms)"
    return sorted(bars.values(), key=lambda b: b.start)
