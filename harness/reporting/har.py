"""The network log of one run as HAR 1.2, with credentials redacted.

Built from the mitmproxy flow recorder's finished flows, so it includes what the
page never saw as a response: requests a fault answered, reset or held, each
marked with the fault (``_chaosFault``) and the error (``_error``). A report is
shared more widely than a test machine, so ``Authorization``, ``Cookie`` and
``Set-Cookie`` (and ``Proxy-Authorization``) never leave it.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

REDACTED = "[redacted]"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def redact_headers(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": k, "value": REDACTED if k.lower() in SECRET_HEADERS else v} for k, v in pairs]


def _header(pairs: Sequence[tuple[str, str]], name: str) -> str:
    return next((v for k, v in pairs if k.lower() == name), "")


def har_entry(record: dict[str, Any]) -> dict[str, Any]:
    """One recorder flow → one HAR entry."""
    flow = record.get("flow") or {}
    url = str(flow.get("url") or record.get("path", ""))
    request_headers = [tuple(p) for p in flow.get("request_headers", [])]
    response_headers = [tuple(p) for p in flow.get("response_headers", [])]
    request_body = str(flow.get("request_body") or "")
    response_body = str(flow.get("response_body") or "")
    status = record.get("status")
    version = str(flow.get("http_version") or "HTTP/1.1")
    started = datetime.fromtimestamp(float(record.get("started", 0.0)), tz=UTC)
    ms = float(record.get("ms") or 0.0)
    request: dict[str, Any] = {
        "method": record.get("method", "GET"),
        "url": url,
        "httpVersion": version,
        "cookies": [],
        "headers": redact_headers(request_headers),
        "queryString": [{"name": k, "value": v} for k, v in urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query)],
        "headersSize": -1,
        "bodySize": len(request_body.encode()),
    }
    if request_body:
        request["postData"] = {"mimeType": _header(request_headers, "content-type") or "application/octet-stream",
                               "text": request_body}
    entry: dict[str, Any] = {
        "startedDateTime": started.isoformat().replace("+00:00", "Z"),
        "time": ms,
        "request": request,
        "response": {
            "status": status if isinstance(status, int) else 0,
            "statusText": str(flow.get("reason") or ""),
            "httpVersion": version,
            "cookies": [],
            "headers": redact_headers(response_headers),
            "content": {
                "size": len(response_body.encode()),
                "mimeType": _header(response_headers, "content-type") or "x-unknown",
                "text": response_body,
            },
            "redirectURL": _header(response_headers, "location"),
            "headersSize": -1,
            "bodySize": len(response_body.encode()) if status is not None else -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": ms, "receive": 0},
    }
    if record.get("fault"):
        entry["_chaosFault"] = record["fault"]
    if record.get("error"):
        entry["_error"] = record["error"]
    if record.get("request_id"):
        entry["_requestId"] = record["request_id"]
    return entry


def build_har(
    flows: Sequence[dict[str, Any]], *, creator_version: str = "0.1.0", page_title: str = ""
) -> dict[str, Any]:
    entries = sorted((har_entry(f) for f in flows), key=lambda e: str(e["startedDateTime"]))
    log: dict[str, Any] = {
        "version": "1.2",
        "creator": {"name": "chaos-harness", "version": creator_version},
        "entries": entries,
    }
    if page_title:
        log["comment"] = page_title
    return {"log": log}


def har_json(flows: Sequence[dict[str, Any]], *, page_title: str = "") -> str:
    return json.dumps(build_har(flows, page_title=page_title), indent=1, ensure_ascii=False)
