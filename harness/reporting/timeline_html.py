"""The timeline as one readable HTML table: every event, on both clocks, coloured by lane.

Self-contained (inline CSS, no script), so it renders inside Allure's attachment
preview, from disk, or in a CI artifact viewer alike.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from typing import Any

from harness.reporting.clock import PageClock
from harness.timeline import Event

LANES = {
    "ui": "#e8f0fe",
    "fault": "#fde8e8",
    "net": "#eef7ee",
    "proxy": "#f4f4f4",
    "step": "#fff6d6",
    "console": "#fbe9f7",
    "analytics": "#eef4f8",
    "telemetry": "#eef4f8",
}

STYLE = """
body { font: 13px/1.4 -apple-system, "Segoe UI", Roboto, sans-serif; margin: 12px; color: #1f2328; }
h1 { font-size: 16px; margin: 0 0 4px; }
p.meta { color: #57606a; margin: 0 0 10px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 3px 6px; border-bottom: 1px solid #d8dee4; }
th { position: sticky; top: 0; background: #fff; border-bottom: 2px solid #8c959f; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.kind { font-family: ui-monospace, Menlo, monospace; white-space: nowrap; }
td.data { font-family: ui-monospace, Menlo, monospace; word-break: break-word; }
tr.fault-fired td.kind, tr.failed td { font-weight: 600; color: #a40e26; }
tr.ui-status td.data { font-weight: 600; }
.legend span { display: inline-block; padding: 0 6px; margin-right: 4px; border-radius: 3px; }
"""


def lane(kind: str) -> str:
    return kind.split(".", 1)[0]


def render_details(data: dict[str, Any]) -> str:
    parts = []
    for key, value in data.items():
        if value in (None, "") or key == "batch":
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if len(text) > 300:
            text = text[:297] + "..."
        parts.append(f"<b>{html.escape(key)}</b>={html.escape(text)}")
    return " ".join(parts)


def timeline_table(events: Sequence[Event], *, title: str, subtitle: str = "") -> str:
    """An HTML document with one row per event, in the order they happened."""
    clock = PageClock.of(events)
    rows = []
    for event in events:
        colour = LANES.get(lane(event.kind), "#ffffff")
        page = f"{clock.at(event):.0f}"
        marker = "" if event.virtual_ms is not None else "≈"
        css = event.kind.replace(".", "-")
        rows.append(
            f'<tr class="{html.escape(css)}" style="background:{colour}">'
            f'<td class="num">{event.seq}</td><td class="num">{event.wall_ms:.1f}</td>'
            f'<td class="num" title="{"page clock" if not marker else "estimated from wall time"}">{marker}{page}</td>'
            f"<td>{html.escape(event.source)}</td><td class=\"kind\">{html.escape(event.kind)}</td>"
            f'<td class="data">{render_details(event.data)}</td></tr>'
        )
    legend = "".join(f'<span style="background:{c}">{html.escape(k)}</span>' for k, c in LANES.items())
    return (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p class=\"meta\">{html.escape(subtitle)}</p>"
        f'<p class="legend">{legend}</p>'
        "<table><thead><tr><th>#</th><th>wall ms</th><th>page ms</th><th>source</th><th>event</th>"
        "<th>details</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        '<p class="meta">wall ms: real time since the run started. page ms: the page\'s (virtual) clock since the '
        "page first spoke; ≈ marks an event the page did not see, placed by its wall time.</p>"
        "</body></html>"
    )
