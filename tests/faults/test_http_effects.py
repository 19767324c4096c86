"""The pure effect functions: JSON Pointer patches and malformed documents."""

from __future__ import annotations

import json
from typing import Any

from harness.faults.http_effects import (
    malformed_document,
    patched_body,
    patched_document,
    remove_pointer,
    retry_after_value,
    set_pointer,
)
from harness.scenario.faults import MalformedBody, PatchBody, RateLimit


def test_pointers_set_replace_append_and_escape() -> None:
    doc: dict[str, Any] = {"a": {"b/c": 1, "d~e": 2}, "list": [1, 2]}
    assert set_pointer(doc, "/a/b~1c", 10)
    assert set_pointer(doc, "/a/d~0e", 20)
    assert set_pointer(doc, "/list/0", 0)
    assert set_pointer(doc, "/list/-", 3)
    assert set_pointer(doc, "/new", "x")
    assert not set_pointer(doc, "/missing/child", 1)
    assert not set_pointer(doc, "/list/9", 1)
    assert doc == {"a": {"b/c": 10, "d~e": 20}, "list": [0, 2, 3], "new": "x"}
    assert remove_pointer(doc, "/list/1") and remove_pointer(doc, "/new")
    assert not remove_pointer(doc, "/nope")
    assert doc == {"a": {"b/c": 10, "d~e": 20}, "list": [0, 3]}


def test_a_patch_that_applies_nowhere_is_none() -> None:
    spec = PatchBody.model_validate({"set": {"/x/y": 1}})
    assert patched_document({"a": 1}, spec) is None
    assert patched_body(b"not json", spec) is None
    where = PatchBody.model_validate({"set": {"/x": 1}, "where": {"type": "done"}})
    assert patched_document({"type": "token"}, where) is None
    assert patched_document({"type": "done"}, where) == {"type": "done", "x": 1}


def test_patching_never_changes_the_original() -> None:
    original = {"messages": [{"content": "hi"}]}
    spec = PatchBody.model_validate({"set": {"/messages/0/content": "<b>x</b>"}})
    assert patched_document(original, spec) == {"messages": [{"content": "<b>x</b>"}]}
    assert original == {"messages": [{"content": "hi"}]}


def test_malformed_documents() -> None:
    text = json.dumps({"ok": True, "messages": []})
    invalid = malformed_document(text, MalformedBody.model_validate("invalid_json"))
    assert invalid == text[: len(text) // 2]
    assert malformed_document("", MalformedBody.model_validate("invalid_json")) == "{"
    wrapped = malformed_document(text, MalformedBody.model_validate("wrong_schema"))
    assert wrapped is not None and json.loads(wrapped) == {"data": {"ok": True, "messages": []}}
    assert malformed_document(text, MalformedBody.model_validate("empty")) == ""


def test_retry_after_formats() -> None:
    assert retry_after_value(RateLimit(retry_after_s=5), 0.0) == "5"
    assert retry_after_value(RateLimit(retry_after_s=5, format="http_date"), 0.0) == "Thu, 01 Jan 1970 00:00:05 GMT"
