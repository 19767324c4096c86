"""SQLite storage for chat messages.

One connection per call keeps the store safe under uvicorn's threadpool and lets
several server processes share one database file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    created_at REAL NOT NULL DEFAULT (julianday('now'))
);
CREATE INDEX IF NOT EXISTS messages_by_session ON messages (session_id, id);
"""


class ChatMessage(TypedDict):
    role: str
    content: str


class Storage:
    """Messages per session, newest-last when read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
            db.commit()
        finally:
            db.close()

    def history(self, session_id: str, limit: int = 50) -> list[ChatMessage]:
        """The newest ``limit`` messages of a session, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT role, content FROM ("
                " SELECT id, role, content FROM messages WHERE session_id = ?"
                " ORDER BY id DESC LIMIT ?) ORDER BY id ASC",
                (session_id, limit),
            ).fetchall()
        return [ChatMessage(role=role, content=content) for role, content in rows]

    def append(self, session_id: str, role: str, content: str) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO messages (session_id, role, content) VALUES (?, ?, ?)",
                (session_id, role, content),
            )
