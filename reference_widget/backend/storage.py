"""SQLite storage: messages, analytics and telemetry events, and a request log.

One connection per call keeps the store safe under uvicorn's threadpool and lets
several server processes share one database file.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, TypedDict

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    created_at REAL NOT NULL DEFAULT (julianday('now'))
);
CREATE INDEX IF NOT EXISTS messages_by_session ON messages (session_id, id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('analytics', 'telemetry')),
    name TEXT NOT NULL,
    session_id TEXT,
    body TEXT NOT NULL,
    received_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_time ON events (kind, received_at);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    route TEXT NOT NULL,
    status INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    duration_ms REAL NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_by_time ON requests (route, at);
"""

# Added after the walking skeleton: a database file from then gets the column.
IDEMPOTENCY_MIGRATION = """
ALTER TABLE messages ADD COLUMN idempotency_key TEXT;
"""
IDEMPOTENCY_INDEX = """
CREATE UNIQUE INDEX IF NOT EXISTS messages_once_per_key
    ON messages (session_id, idempotency_key, role) WHERE idempotency_key IS NOT NULL;
"""

EventKind = Literal["analytics", "telemetry"]


class ChatMessage(TypedDict):
    role: str
    content: str


class Storage:
    """Messages per session (newest-last when read), events, and the request log."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._connect() as db:
            db.executescript(SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(messages)")}
            if "idempotency_key" not in columns:
                db.executescript(IDEMPOTENCY_MIGRATION)
            db.executescript(IDEMPOTENCY_INDEX)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
            db.commit()
        finally:
            db.close()

    # -- messages ---------------------------------------------------------------

    def history(self, session_id: str, limit: int = 50, *, oldest: bool = False) -> list[ChatMessage]:
        """The newest ``limit`` messages of a session, oldest first.

        ``oldest=True`` takes the oldest ``limit`` instead: the production widget's
        defect, kept for the ``history-oldest-fifty`` regression.
        """
        order = "ASC" if oldest else "DESC"
        with self._connect() as db:
            rows = db.execute(
                "SELECT role, content FROM ("
                f" SELECT id, role, content FROM messages WHERE session_id = ? ORDER BY id {order} LIMIT ?"
                ") ORDER BY id ASC",
                (session_id, limit),
            ).fetchall()
        return [ChatMessage(role=role, content=content) for role, content in rows]

    def append(self, session_id: str, role: str, content: str, idempotency_key: str | None = None) -> bool:
        """Store a message; with a key, at most once per (session, key, role).

        Returns whether a row was written, so a retried send stores its question once.
        """
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO messages (session_id, role, content, idempotency_key) VALUES (?, ?, ?, ?)",
                (session_id, role, content, idempotency_key),
            )
            return cursor.rowcount == 1

    def answer_for(self, session_id: str, idempotency_key: str) -> str | None:
        """The assistant answer already stored for a key, if the send completed."""
        with self._connect() as db:
            row = db.execute(
                "SELECT content FROM messages WHERE session_id = ? AND idempotency_key = ? AND role = 'assistant'",
                (session_id, idempotency_key),
            ).fetchone()
        return None if row is None else str(row[0])

    def count_messages(self, session_id: str) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM messages WHERE session_id = ?", (session_id,)).fetchone()[0])

    # -- analytics and telemetry -------------------------------------------------

    def add_event(self, kind: EventKind, name: str, session_id: str | None, body: dict[str, Any]) -> int:
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO events (kind, name, session_id, body, received_at) VALUES (?, ?, ?, ?, ?)",
                (kind, name, session_id, json.dumps(body, sort_keys=True), time.time()),
            )
            return int(cursor.lastrowid or 0)

    def events(self, kind: EventKind, since: float = 0.0, name: str | None = None) -> list[dict[str, Any]]:
        """Stored event bodies of one kind received since ``since`` (epoch seconds), in order."""
        query = "SELECT body FROM events WHERE kind = ? AND received_at >= ?"
        params: list[Any] = [kind, since]
        if name is not None:
            query += " AND name = ?"
            params.append(name)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY id", params).fetchall()
        return [json.loads(body) for (body,) in rows]

    # -- request log -------------------------------------------------------------

    def log_request(self, route: str, status: int, failed: bool, duration_ms: float) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO requests (route, status, failed, duration_ms, at) VALUES (?, ?, ?, ?, ?)",
                (route, status, int(failed), duration_ms, time.time()),
            )

    def request_counts(self, route: str, since: float) -> tuple[int, int]:
        """(total, failed) requests of a route since ``since``."""
        with self._connect() as db:
            total, failed = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(failed), 0) FROM requests WHERE route = ? AND at >= ?",
                (route, since),
            ).fetchone()
        return int(total), int(failed)
