"""One small function per HTTP fault kind: what the proxy answers or changes.

Pure where they can be (bodies in, bodies out); the addon's hooks only decide
when to call them.
"""

from __future__ import annotations

import copy
import json
import random
from email.utils import formatdate
from typing import Any

from mitmproxy import http

from harness.faults.sse import EventRewriter
from harness.scenario.faults import HttpRespond, MalformedBody, PatchBody, RateLimit

FAULT_HEADER = "x-chaos-fault"
_MISSING = object()


def status_response(spec: HttpRespond, fault_id: str) -> http.Response:
    """``respond``: the answer the server never gave."""
    headers = {FAULT_HEADER: fault_id, **spec.headers}
    if spec.text is not None:
        body = spec.text.encode()
        headers.setdefault("content-type", "text/plain; charset=utf-8")
    elif spec.json_body is not None:
        body = json.dumps(spec.json_body).encode()
        headers.setdefault("content-type", "application/json")
    else:
        body = b""
    return http.Response.make(spec.status, body, headers)


def retry_after_value(spec: RateLimit, now: float) -> str:
    """Seconds, or the HTTP date that many seconds after ``now`` (wall clock)."""
    if spec.format == "http_date":
        return formatdate(now + spec.retry_after_s, usegmt=True)
    return str(spec.retry_after_s)


def rate_limit_response(spec: RateLimit, fault_id: str, now: float) -> http.Response:
    """``rate_limit``: 429 with ``Retry-After``, in the API's error shape by default."""
    body = spec.json_body
    if body is None:
        body = {"ok": False, "error": "Too many requests", "hint": f"retry after {spec.retry_after_s} seconds"}
    headers = {
        FAULT_HEADER: fault_id,
        "retry-after": retry_after_value(spec, now),
        "content-type": "application/json",
        **spec.headers,
    }
    return http.Response.make(429, json.dumps(body).encode(), headers)


def jittered_s(ms: int, jitter_ms: int, rng: random.Random) -> float:
    """``ms`` ± ``jitter_ms`` (uniform, from the fault's seeded stream), in seconds, never negative."""
    offset = rng.uniform(-jitter_ms, jitter_ms) if jitter_ms else 0.0
    return max(0.0, ms + offset) / 1000.0


# --- malformed bodies ---------------------------------------------------------------


def malformed_document(text: str, spec: MalformedBody) -> str | None:
    """The broken form of one JSON document (a body, or one event's data)."""
    if spec.as_ == "empty":
        return ""
    if spec.as_ == "invalid_json":
        return text[: max(1, len(text) // 2)] if text else "{"
    try:
        original: Any = json.loads(text)
    except ValueError:
        original = text
    replacement = spec.json_body if spec.json_body is not None else {"data": original}
    return json.dumps(replacement)


def malformed_body(body: bytes, spec: MalformedBody) -> bytes:
    """``malformed_body`` on a whole body: cut in half, nested one level deeper, or empty."""
    result = malformed_document(body.decode("utf-8", errors="replace"), spec)
    return (result or "").encode()


def malformed_events(spec: MalformedBody) -> EventRewriter:
    """``malformed_body`` on an event stream: every event's data broken the same way."""

    def breaks(document: Any) -> Any:
        return malformed_document(json.dumps(document), spec)

    return EventRewriter(breaks, drop_all=spec.as_ == "empty")


# --- JSON patches -------------------------------------------------------------------


def _tokens(pointer: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def _child(container: Any, token: str) -> Any:
    if isinstance(container, dict):
        return container.get(token, _MISSING)
    if isinstance(container, list) and token.isdigit() and int(token) < len(container):
        return container[int(token)]
    return _MISSING


def _parent(document: Any, pointer: str) -> tuple[Any, str]:
    tokens = _tokens(pointer)
    node = document
    for token in tokens[:-1]:
        node = _child(node, token)
        if node is _MISSING:
            return _MISSING, ""
    return node, tokens[-1]


def set_pointer(document: Any, pointer: str, value: Any) -> bool:
    """Set (replace or add) where the parent exists; ``False`` if it does not."""
    parent, last = _parent(document, pointer)
    if isinstance(parent, dict):
        parent[last] = copy.deepcopy(value)
        return True
    if isinstance(parent, list):
        if last == "-":
            parent.append(copy.deepcopy(value))
            return True
        if last.isdigit() and int(last) < len(parent):
            parent[int(last)] = copy.deepcopy(value)
            return True
    return False


def remove_pointer(document: Any, pointer: str) -> bool:
    parent, last = _parent(document, pointer)
    if isinstance(parent, dict) and last in parent:
        del parent[last]
        return True
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        del parent[int(last)]
        return True
    return False


def patched_document(document: Any, spec: PatchBody) -> Any:
    """The patched copy of one JSON document, or ``None`` if the patch does not apply."""
    if spec.where and not (
        isinstance(document, dict) and all(document.get(k, _MISSING) == v for k, v in spec.where.items())
    ):
        return None
    result = copy.deepcopy(document)
    changed = [set_pointer(result, pointer, value) for pointer, value in spec.set_.items()]
    changed += [remove_pointer(result, pointer) for pointer in spec.remove]
    return result if any(changed) else None


def patched_body(body: bytes, spec: PatchBody) -> bytes | None:
    """``patch_body`` on a whole JSON body; ``None`` if it is not JSON or nothing applied."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    result = patched_document(document, spec)
    return None if result is None else json.dumps(result, ensure_ascii=False).encode()


def patched_events(spec: PatchBody) -> EventRewriter:
    """``patch_body`` on an event stream: every event the patch applies to."""
    return EventRewriter(lambda document: patched_document(document, spec))
