"""The soak run's dashboard: one self-contained HTML page (inline CSS and SVG, no scripts, no network).

It is opened from a CI artifact or a laptop with no server, so nothing is fetched. Records of older runs
lack fields, so every figure degrades to "–" instead of breaking the page. Nothing depends on "now", so
the same records always render the same bytes (pages of two runs can be diffed).
"""

from __future__ import annotations

import html
import math
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DASH = "–"
DEFAULT_BOUND = 0.01  # the gate's absolute error-rate bound when the record has none
W, H = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 40, 40
SENDS_COLOUR, HISTORY_COLOUR = "#2f6fde", "#8e44ad"
AVG_COLOUR, P95_COLOUR, API_COLOUR = "#16a085", "#d35400", "#7f8c8d"
FAIL_COLOUR, BOUND_COLOUR = "#e03131", "#c0392b"
STATUS_COLOURS = {"idle": "#9aa5b1", "syncing": "#f2c94c", "connected": "#27ae60", "error": "#eb5757"}
OTHER_STATUS_COLOUR = "#5d6d7e"
HARNESS, ANALYTICS, API = "harness", "widget analytics (proxy)", "/api/metrics"
SUB = ' class="sub"'

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:820px;color:#1f2933}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.meta{color:#52606d;margin:0}.regression{color:#b44d12;font-weight:600}
.gate{border-radius:6px;padding:12px 16px;margin:16px 0;color:#fff}
.gate strong{font-size:22px}.gate.pass{background:#2b8a3e}.gate.fail{background:#c92a2a}.gate.none{background:#868e96}
.gate ul{margin:6px 0 0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e7eb}
td.sub{padding-left:28px;color:#52606d}td.src{color:#52606d;white-space:nowrap}
figure{margin:8px 0}figcaption{font-weight:600;margin-bottom:2px}
svg{font:11px system-ui,sans-serif}svg .grid{stroke:#e4e7eb}svg .axis{stroke:#7b8794}
svg .empty{fill:#9aa5b1;font-size:14px}
"""


@dataclass(frozen=True)
class Point:
    """One plotted value; ``tip`` is its hover tooltip, ``fill`` overrides the series colour (a failed run)."""

    x: float
    y: float
    tip: str
    fill: str | None = None


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: Sequence[Point]


# --- reading records ------------------------------------------------------------------------------


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _get(record: Any, *path: str) -> Any:
    """A nested field, or None when any step is missing or not a mapping (older records)."""
    for key in path:
        if not isinstance(record, Mapping):
            return None
        record = record.get(key)
    return record


def _num(value: Any) -> float | None:
    """A finite number, or None (missing, null, text, bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _str(value: Any) -> str:
    return DASH if value is None or value == "" else str(value)


def _fmt_pct(fraction: Any) -> str:
    """A 0..1 fraction as a percentage with two decimals: the gate's bounds are fractions of a percent."""
    v = _num(fraction)
    return DASH if v is None else f"{v * 100:.2f}%"


def _fmt_num(value: Any, unit: str = "") -> str:
    v = _num(value)
    if v is None:
        return DASH
    text = f"{int(v):,}" if v.is_integer() else f"{v:,.1f}"
    return f"{text} {unit}" if unit else text


def _rate(block: Any) -> float | None:
    """The recorded error rate, else failed/total; None when nothing was attempted."""
    rate = _num(_get(block, "error_rate"))
    if rate is not None:
        return rate
    total, failed = _num(_get(block, "total")), _num(_get(block, "failed"))
    return failed / total if total and failed is not None else None


def _verdict(record: Any) -> str | None:
    """"passed", "failed", or None when the gate was not evaluated."""
    verdict = _get(record, "gate", "verdict")
    if isinstance(verdict, str):
        verdict = verdict.strip().lower()
        if verdict in ("pass", "passed"):
            return "passed"
        if verdict in ("fail", "failed"):
            return "failed"
    return None


def _bound(run: Mapping[str, Any]) -> float:
    bound = _num(_get(run, "gate", "absolute"))
    return DEFAULT_BOUND if bound is None else bound


def _runs(run: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """History plus the current run, once: the caller may already have appended it."""
    runs = [r for r in history if isinstance(r, Mapping)]
    if runs and run.get("run_id") is not None and runs[-1].get("run_id") == run.get("run_id"):
        runs[-1] = run
    else:
        runs.append(run)
    return runs


def _items(value: Any) -> list[tuple[str, Any]]:
    """A mapping's entries sorted by key, for per-route and per-fault rows."""
    return sorted(((str(k), v) for k, v in value.items()), key=lambda kv: kv[0]) if isinstance(value, Mapping) else []


def _list(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list | tuple) else []


# --- charts ---------------------------------------------------------------------------------------


def _nice_step(raw: float) -> float:
    """The smallest 1, 2 or 5 × 10^k not below ``raw`` (> 0)."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1.0, 2.0, 5.0, 10.0) if m * power >= raw * (1 - 1e-9))


def _axis(top: float, ticks: int = 4) -> list[float]:
    """Tick values from 0 to a round number at or above ``top`` (> 0)."""
    step = _nice_step(top / ticks)
    return [i * step for i in range(math.ceil(top / step - 1e-9) + 1)]


def _tick(value: float) -> str:
    return f"{round(value, 9):.6g}"


def _svg_open(label: str, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" '
            f'role="img" aria-label="{_esc(label)}">')


def _legend(items: Sequence[tuple[str, str, str]]) -> str:
    """Swatches along the top: (name, colour, kind) with kind "line", "dash" or "dot"."""
    out, x = [], float(LEFT)
    for name, colour, kind in items:
        if kind == "dot":
            out.append(f'<circle cx="{x + 9:.1f}" cy="14" r="4" fill="{colour}" stroke="#52606d"/>')
        else:
            dash = ' stroke-dasharray="5 3"' if kind == "dash" else ""
            out.append(f'<line x1="{x:.1f}" y1="14" x2="{x + 18:.1f}" y2="14" stroke="{colour}" '
                       f'stroke-width="2"{dash}/>')
        out.append(f'<text x="{x + 24:.1f}" y="18">{_esc(name)}</text>')
        x += 40 + 6.2 * len(name)
    return f'<g class="legend">{"".join(out)}</g>'


def _empty(label: str, height: int = H) -> str:
    text = f'<text class="empty" x="{W / 2}" y="{height / 2}" text-anchor="middle">no data</text>'
    return f"{_svg_open(label, height)}{text}</svg>"


def _line_chart(label: str, series: Sequence[Series], *, domain: tuple[float, float],
                x_ticks: Sequence[tuple[float, str]], unit: str, floor: float,
                bound: tuple[float, str] | None = None, extra_legend: Sequence[tuple[str, str, str]] = ()) -> str:
    """Polylines with one hoverable point per value; y starts at 0 and reaches at least ``floor``."""
    points = [p for s in series for p in s.points]
    if not points:
        return _empty(label)
    ticks = _axis(max([p.y for p in points] + [floor if floor > 0 else 1.0]))
    lo, hi = domain if domain[1] > domain[0] else (domain[0] - 1, domain[0] + 1)

    def sx(x: float) -> float:
        return LEFT + (x - lo) / (hi - lo) * (W - LEFT - RIGHT)

    def sy(y: float) -> float:
        return H - BOTTOM - y / ticks[-1] * (H - TOP - BOTTOM)

    legend = [(s.name, s.colour, "line") for s in series] + ([(bound[1], BOUND_COLOUR, "dash")] if bound else [])
    out = [_svg_open(label, H), _legend(legend + list(extra_legend))]
    for value in ticks:
        y = sy(value)
        out.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}"/>'
                   f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_esc(_tick(value))}</text>')
    out.append(f'<text x="{LEFT - 6}" y="{TOP - 10}" text-anchor="end">{_esc(unit)}</text>')
    out.append(f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{H - BOTTOM}"/>'
               f'<line class="axis" x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}"/>')
    for x, text in x_ticks:
        out.append(f'<line class="axis" x1="{sx(x):.1f}" y1="{H - BOTTOM}" x2="{sx(x):.1f}" y2="{H - BOTTOM + 4}"/>'
                   f'<text x="{sx(x):.1f}" y="{H - BOTTOM + 16}" text-anchor="middle">{_esc(text)}</text>')
    if bound and bound[0] <= ticks[-1]:
        y = sy(bound[0])
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{W - RIGHT}" y2="{y:.1f}" stroke="{BOUND_COLOUR}" '
                   f'stroke-dasharray="6 4"><title>{_esc(bound[1])}</title></line>')
    for s in series:
        if len(s.points) > 1:
            coords = " ".join(f"{sx(p.x):.1f},{sy(p.y):.1f}" for p in s.points)
            out.append(f'<polyline points="{coords}" fill="none" stroke="{s.colour}" stroke-width="2"/>')
        for p in s.points:
            out.append(f'<circle cx="{sx(p.x):.1f}" cy="{sy(p.y):.1f}" r="4" fill="{p.fill or s.colour}" '
                       f'stroke="{s.colour}" stroke-width="1.5"><title>{_esc(p.tip)}</title></circle>')
    out.append("</svg>")
    return "".join(out)


def _figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption>{_esc(caption)}</figcaption>{svg}</figure>"


def _bucket_charts(run: Mapping[str, Any], bound: float) -> str:
    """Error rate and sync duration per time slice of this run."""
    buckets = sorted((b for b in _list(run.get("buckets")) if _num(b.get("t_s")) is not None),
                     key=lambda b: float(b["t_s"]))
    starts = [float(b["t_s"]) for b in buckets]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False) if b > a]
    wall = _num(run.get("wall_s"))
    width = min(gaps) if gaps else (wall - starts[0] if starts and wall and wall > starts[0] else 1.0)
    lo, hi = (starts[0], starts[-1] + width) if starts else (0.0, 1.0)
    step = _nice_step((hi - lo) / 6)
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    x_ticks = [(i * step, f"{_tick(i * step)} s") for i in range(first, last + 1)]

    def series(name: str, colour: str, value: Callable[[Mapping[str, Any]], tuple[float, str] | None]) -> Series:
        points = []
        for b, t in zip(buckets, starts, strict=True):
            got = value(b)
            if got is not None:
                points.append(Point(t + width / 2, got[0], f"{name}, {_tick(t)}–{_tick(t + width)} s: {got[1]}"))
        return Series(name, colour, points)

    def rate(total_key: str, failed_key: str) -> Callable[[Mapping[str, Any]], tuple[float, str] | None]:
        def value(b: Mapping[str, Any]) -> tuple[float, str] | None:
            total, failed = _num(b.get(total_key)), _num(b.get(failed_key))
            if not total or failed is None:
                return None
            return failed / total * 100, f"{_fmt_pct(failed / total)} ({_fmt_num(failed)}/{_fmt_num(total)} failed)"
        return value

    def ms(key: str) -> Callable[[Mapping[str, Any]], tuple[float, str] | None]:
        def value(b: Mapping[str, Any]) -> tuple[float, str] | None:
            v = _num(b.get(key))
            return None if v is None else (v, _fmt_num(v, "ms"))
        return value

    errors = _line_chart(
        "Error rate over the run",
        [series("sends error rate", SENDS_COLOUR, rate("sends", "sends_failed")),
         series("history error rate", HISTORY_COLOUR, rate("history", "history_failed"))],
        domain=(lo, hi), x_ticks=x_ticks, unit="%", floor=2 * bound * 100,
        bound=(bound * 100, f"gate bound {_fmt_pct(bound)}"))
    sync = _line_chart(
        "Sync duration over the run",
        [series("avg sync", AVG_COLOUR, ms("sync_avg_ms")), series("p95 sync", P95_COLOUR, ms("sync_p95_ms"))],
        domain=(lo, hi), x_ticks=x_ticks, unit="ms", floor=100.0)
    return (f"<h2>Error rate over the run</h2>{_figure('sends and history loads failed, per time slice', errors)}\n"
            f"<h2>Sync duration over the run</h2>{_figure('per time slice', sync)}")


def _run_label(record: Mapping[str, Any], index: int) -> str:
    """A short x label: the start date and time, else the run id, else the run's number."""
    started, run_id = record.get("started"), record.get("run_id")
    if isinstance(started, str) and len(started) >= 16:
        return f"{started[5:10]} {started[11:16]}"
    return str(run_id)[:12] if run_id else f"#{index + 1}"


def _across_runs(runs: Sequence[Mapping[str, Any]], bound: float) -> str:
    """Each run's error rates and p95 sync, each point coloured by that run's gate verdict."""
    every = math.ceil(len(runs) / 8)
    x_ticks = [(float(i), _run_label(r, i)) for i, r in enumerate(runs) if i % every == 0]
    domain = (-0.5, len(runs) - 0.5)
    extra = [("gate failed", FAIL_COLOUR, "dot"), ("not evaluated", "#ffffff", "dot")]

    def series(name: str, colour: str, value: Callable[[Mapping[str, Any]], float | None],
               fmt: Callable[[float], str], scale: float = 1.0) -> Series:
        points = []
        for i, r in enumerate(runs):
            v = value(r)
            if v is None:
                continue
            verdict = _verdict(r)
            fill = FAIL_COLOUR if verdict == "failed" else colour if verdict == "passed" else "#ffffff"
            tip = (f"{_str(r.get('run_id'))} ({_str(r.get('started'))}): {name} {fmt(v)}, "
                   f"gate {verdict or 'not evaluated'}")
            points.append(Point(float(i), v * scale, tip, fill))
        return Series(name, colour, points)

    errors = _line_chart(
        "Error rate across runs",
        [series("sends error rate", SENDS_COLOUR, lambda r: _rate(r.get("sends")), _fmt_pct, 100.0),
         series("history error rate", HISTORY_COLOUR, lambda r: _rate(r.get("history_loads")), _fmt_pct, 100.0)],
        domain=domain, x_ticks=x_ticks, unit="%", floor=2 * bound * 100,
        bound=(bound * 100, f"gate bound {_fmt_pct(bound)}"), extra_legend=extra)
    def ms(v: float) -> str:
        return _fmt_num(v, "ms")

    p95 = [series("p95 sync", P95_COLOUR, lambda r: _num(_get(r, "sync_ms", "p95")), ms)]
    api = series("p95 sync (/api/metrics)", API_COLOUR,
                 lambda r: _num(_get(r, "api_metrics", "sync_duration_ms", "p95")), ms)
    sync = _line_chart("p95 sync duration across runs", p95 + ([api] if api.points else []),
                       domain=domain, x_ticks=x_ticks, unit="ms", floor=100.0, extra_legend=extra)
    return (f"<h2>Across runs</h2>{_figure(f'Error rate per run ({len(runs)} runs)', errors)}\n"
            f"{_figure('p95 sync duration per run', sync)}")


def _status_bar(share: Any) -> str:
    """The share of time in each UI status, as one stacked bar with a legend underneath."""
    known = [k for k in STATUS_COLOURS if k in (share if isinstance(share, Mapping) else {})]
    parts = [(k, v) for k in known if (v := _num(share[k])) is not None and v > 0]
    parts += [(k, v) for k, raw in _items(share) if k not in STATUS_COLOURS and (v := _num(raw)) is not None and v > 0]
    total = sum(v for _, v in parts)
    if total <= 0:
        return _empty("Share of time per status", 80)
    out, x, legend_x = [_svg_open("Share of time per status", 80)], 0.0, 0.0
    for name, value in parts:
        colour, width = STATUS_COLOURS.get(name, OTHER_STATUS_COLOUR), value / total * W
        out.append(f'<rect x="{x:.1f}" y="4" width="{width:.1f}" height="32" fill="{colour}">'
                   f"<title>{_esc(name)}: {_esc(_fmt_pct(value))}</title></rect>")
        if width > 90:
            out.append(f'<text x="{x + width / 2:.1f}" y="24" text-anchor="middle">'
                       f"{_esc(name)} {_esc(_fmt_pct(value))}</text>")
        text = f"{name} {_fmt_pct(value)}"
        out.append(f'<rect x="{legend_x:.1f}" y="52" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{legend_x + 16:.1f}" y="62">{_esc(text)}</text>')
        x, legend_x = x + width, legend_x + 36 + 6.2 * len(text)
    out.append("</svg>")
    return "".join(out)


# --- page -----------------------------------------------------------------------------------------


def _fmt_check(metric: Any, value: Any) -> str:
    return _fmt_pct(value) if "rate" in str(metric) else _fmt_num(value)


def _gate(gate: Any) -> str:
    """The banner everyone reads first, with the failing checks, then every check in a table."""
    verdict = _verdict({"gate": gate})
    banners = {"passed": ("pass", "PASSED"), "failed": ("fail", "FAILED")}
    css, text = banners.get(verdict or "", ("none", "not evaluated"))
    checks = _list(_get(gate, "checks"))
    failing = "".join(
        f"<li>{_esc(_str(c.get('metric')))} = {_esc(_fmt_check(c.get('metric'), c.get('value')))}, "
        f"limit {_esc(_fmt_check(c.get('metric'), c.get('limit')))}: {_esc(_str(c.get('why')))}</li>"
        for c in checks if c.get("ok") is False)
    bounds = (f"absolute bound {_fmt_pct(_get(gate, 'absolute'))} · "
              f"tolerance over baseline {_fmt_pct(_get(gate, 'tolerance'))}")
    banner = (f'<section class="gate {css}"><strong>Quality gate: {text}</strong><div>{_esc(bounds)}</div>'
              f"{f'<ul>{failing}</ul>' if failing else ''}</section>")
    if not checks:
        return banner
    rows = "".join(
        f"<tr><td>{_esc(_str(c.get('metric')))}</td><td>{_esc(_fmt_check(c.get('metric'), c.get('value')))}</td>"
        f"<td>{_esc(_fmt_check(c.get('metric'), c.get('limit')))}</td>"
        f"<td>{_esc(_fmt_check(c.get('metric'), c.get('baseline')))}</td>"
        f"<td>{'ok' if c.get('ok') is True else 'FAILED' if c.get('ok') is False else DASH}</td>"
        f"<td>{_esc(_str(c.get('why')))}</td></tr>"
        for c in checks)
    return (f"{banner}<table><tr><th>check</th><th>value</th><th>limit</th><th>baseline</th><th>result</th>"
            f"<th>why</th></tr>{rows}</table>")


def _figures(run: Mapping[str, Any]) -> str:
    """The run's numbers; where the API counted the same thing, its figure sits beside the widget's."""
    rows: list[tuple[str, str, str, bool]] = [
        ("Sessions", _fmt_num(run.get("sessions")), HARNESS, False),
        ("Requests", _fmt_num(_get(run, "requests", "total")), HARNESS, False)]
    rows += [(route, _fmt_num(n), HARNESS, True) for route, n in _items(_get(run, "requests", "by_route"))]
    faults = _items(run.get("faults"))
    faults_total = run.get("faults_total")
    if _num(faults_total) is None and faults:
        faults_total = sum(v for _, raw in faults if (v := _num(raw)) is not None)
    rows.append(("Injected faults", _fmt_num(faults_total), HARNESS, False))
    rows += [(fault, _fmt_num(n), HARNESS, True) for fault, n in faults]

    def calls(block: Any, recoverable: bool) -> str:
        extra = f" · {_fmt_num(_get(block, 'recoverable'))} recoverable" if recoverable else ""
        return (f"{_fmt_num(_get(block, 'total'))} total · {_fmt_num(_get(block, 'failed'))} failed{extra} · "
                f"error rate {_fmt_pct(_rate(block))}")

    def sync(block: Any) -> str:
        return (f"avg {_fmt_num(_get(block, 'average'), 'ms')} · p95 {_fmt_num(_get(block, 'p95'), 'ms')} · "
                f"{_fmt_num(_get(block, 'count'))} syncs")

    api = run.get("api_metrics") if isinstance(run.get("api_metrics"), Mapping) else None
    for name, key, api_key, recoverable in (("Sends", "sends", "sends", True),
                                           ("History loads", "history_loads", "history_loads", False)):
        rows.append((name, calls(run.get(key), recoverable), ANALYTICS, False))
        if api is not None:
            rows.append((name, calls(api.get(api_key), False), API, False))
    retries = run.get("retries")
    rows.append(("Retries", f"{_fmt_num(_get(retries, 'sends_retried'))} sends retried · "
                 f"{_fmt_num(_get(retries, 'retry_attempts'))} extra attempts · "
                 f"at most {_fmt_num(_get(retries, 'max_attempts'))} attempts for one send", ANALYTICS, False))
    rows.append(("Sync duration", sync(run.get("sync_ms")), ANALYTICS, False))
    if api is not None:
        rows.append(("Sync duration", sync(api.get("sync_duration_ms")), API, False))
    shares = _items(run.get("status_share"))
    order = {k: i for i, k in enumerate(STATUS_COLOURS)}
    shares.sort(key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    rows.append(("Time per status", " · ".join(f"{k} {_fmt_pct(v)}" for k, v in shares) or DASH, ANALYTICS, False))
    body = "".join(f"<tr><td{SUB if sub else ''}>{_esc(name)}</td><td>{_esc(value)}</td>"
                   f'<td class="src">{_esc(source)}</td></tr>' for name, value, source, sub in rows)
    return f"<h2>Figures</h2><table><tr><th>figure</th><th>value</th><th>source</th></tr>{body}</table>"


def _header(run: Mapping[str, Any]) -> str:
    workers, concurrency = _fmt_num(run.get("workers")), _fmt_num(run.get("concurrency"))
    meta = [f"mix {_str(run.get('mix'))}", f"seed {_str(run.get('seed'))}",
            f"{workers} workers × {concurrency} concurrent sessions", f"wall time {_fmt_num(run.get('wall_s'), 's')}",
            f"started {_str(run.get('started'))}"]
    regression = run.get("regression")
    flag = f'<p class="regression">Injected regression: {_esc(regression)}</p>' if regression else ""
    return (f"<header><h1>Soak run {_esc(_str(run.get('run_id')))}</h1>"
            f'<p class="meta">{_esc(" · ".join(meta))}</p>{flag}</header>')


def render_dashboard(run: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> str:
    """The whole page for ``run``, with ``history`` (oldest first) for the across-runs charts."""
    bound = _bound(run)
    title = f"Soak run {_str(run.get('run_id'))}"
    return "\n".join([
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>'
        f"<style>{CSS}</style></head><body>",
        _header(run),
        _gate(run.get("gate")),
        _figures(run),
        _bucket_charts(run, bound),
        _across_runs(_runs(run, history), bound),
        f"<h2>Share of time per status</h2>{_status_bar(run.get('status_share'))}",
        "</body></html>\n",
    ])


def write_dashboard(path: Path, run: Mapping[str, Any], history: Sequence[Mapping[str, Any]]) -> Path:
    """Write the page atomically: a viewer refreshing it never sees half a page."""
    text = render_dashboard(run, history)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
