"""Validate a send request: every problem gets a message and a hint a person can act on.

400 means the request is malformed (not the contract's shape); 422 means it has
the right shape but a value the server will not accept. The widget treats both
as recoverable: it keeps the question and shows the hint inline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_HISTORY = 50
MAX_SESSION_ID = 128
MAX_IDEMPOTENCY_KEY = 128
ROLES = ("user", "assistant")


@dataclass(frozen=True)
class SendRequest:
    session_id: str
    message: str
    history: list[dict[str, str]]
    language: str | None
    idempotency_key: str | None


@dataclass(frozen=True)
class Invalid:
    status: int
    error: str
    hint: str


def validate_session_id(value: object) -> Invalid | str:
    if not isinstance(value, str) or not value.strip():
        return Invalid(400, "sessionId is required", "pass the session's id (a UUID) as sessionId")
    if len(value) > MAX_SESSION_ID:
        return Invalid(422, f"sessionId is longer than {MAX_SESSION_ID} characters", "use the UUID the widget made")
    return value.strip()


def validate_send(body: dict[str, Any], idempotency_header: str | None, max_chars: int) -> SendRequest | Invalid:
    """Turn a parsed body into a :class:`SendRequest`, or say what is wrong with it."""
    session = validate_session_id(body.get("sessionId"))
    if isinstance(session, Invalid):
        return session
    message = body.get("message")
    if not isinstance(message, str):
        return Invalid(400, "message is required and must be a string", "send the question as message")
    if not message.strip():
        return Invalid(422, "message is empty", "type a question before sending")
    if len(message) > max_chars:
        return Invalid(
            422,
            f"message is {len(message)} characters long; the limit is {max_chars}",
            f"shorten the question to at most {max_chars} characters",
        )
    history = body.get("history", [])
    if not isinstance(history, list):
        return Invalid(400, "history must be a list of messages", "send [] or the conversation so far")
    if len(history) > MAX_HISTORY:
        return Invalid(422, f"history has {len(history)} messages; the limit is {MAX_HISTORY}", "send the newest 50")
    for index, item in enumerate(history):
        if (
            not isinstance(item, dict)
            or item.get("role") not in ROLES
            or not isinstance(item.get("content"), str)
        ):
            return Invalid(
                422,
                f"history[{index}] is not a message",
                "each history item is {role: 'user' | 'assistant', content: string}",
            )
    language = body.get("language")
    if language is not None and (not isinstance(language, str) or len(language) > 35):
        return Invalid(422, "language must be a language tag such as 'en'", "omit language or send e.g. 'en'")
    key = idempotency_header if idempotency_header is not None else body.get("idempotencyKey")
    if key is not None and (not isinstance(key, str) or not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY):
        return Invalid(
            422,
            f"the idempotency key must be a non-empty string of at most {MAX_IDEMPOTENCY_KEY} characters",
            "send one UUID per logical message in the Idempotency-Key header",
        )
    return SendRequest(
        session_id=session,
        message=message.strip(),
        history=[{"role": m["role"], "content": m["content"]} for m in history],
        language=language,
        idempotency_key=key.strip() if isinstance(key, str) else None,
    )
