"""The backend's small parts: storage, configuration, validation, the rate limiter, metrics."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reference_widget.backend.config import Settings, parse_flags, parse_rate_limit
from reference_widget.backend.metrics import percentile
from reference_widget.backend.ratelimit import SlidingWindowLimiter
from reference_widget.backend.storage import Storage

# -- storage -------------------------------------------------------------------------------


def test_a_keyed_message_is_stored_once_per_role(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "db.sqlite3")
    assert storage.append("s", "user", "q", "k") is True
    assert storage.append("s", "user", "q", "k") is False
    assert storage.answer_for("s", "k") is None
    assert storage.append("s", "assistant", "a", "k") is True
    assert storage.append("s", "assistant", "other", "k") is False
    assert storage.answer_for("s", "k") == "a"
    assert storage.append("s", "user", "q") and storage.append("s", "user", "q")  # no key: no dedupe
    assert storage.count_messages("s") == 4


def test_a_walking_skeleton_database_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL,"
            " role TEXT NOT NULL, content TEXT NOT NULL, created_at REAL NOT NULL DEFAULT (julianday('now')));"
            "INSERT INTO messages (session_id, role, content) VALUES ('s', 'user', 'old');"
        )
    storage = Storage(path)
    assert storage.history("s") == [{"role": "user", "content": "old"}]
    assert storage.append("s", "user", "new", "k") and not storage.append("s", "user", "new", "k")


def test_events_and_request_log(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "db.sqlite3")
    storage.add_event("analytics", "a", "s", {"event": "a", "n": 1})
    storage.add_event("telemetry", "b", None, {"event": "b"})
    assert storage.events("analytics") == [{"event": "a", "n": 1}]
    assert storage.events("analytics", name="b") == []
    storage.log_request("send", 200, False, 3.0)
    storage.log_request("send", 502, True, 3.0)
    assert storage.request_counts("send", 0) == (2, 1)
    assert storage.request_counts("history", 0) == (0, 0)


# -- configuration --------------------------------------------------------------------------


def test_settings_from_an_empty_environment_are_the_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.regressions == () and settings.flags == {"chat_widget_enabled": True}
    assert (settings.rate_limit, settings.rate_window_s) == (20, 60.0)
    assert settings.regression_param is False


def test_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "CHAT_DB_PATH": "/tmp/x.sqlite3",
            "CHAT_ENGINE_URL": "http://127.0.0.1:9/",
            "CHAT_RATE_LIMIT": "3/10",
            "CHAT_REGRESSIONS": "no-backoff, silent-history-failure",
            "CHAT_REGRESSION_PARAM": "1",
            "CHAT_FLAGS": "chat_widget_enabled=off",
            "CHAT_RETRY_BASE_MS": "50",
        }
    )
    assert settings.engine_url == "http://127.0.0.1:9"
    assert (settings.rate_limit, settings.rate_window_s) == (3, 10.0)
    assert settings.regressions == ("no-backoff", "silent-history-failure")
    assert settings.has("no-backoff") and not settings.has("no-back-online-toast")
    assert settings.regression_param is True
    assert settings.flags == {"chat_widget_enabled": False}
    assert settings.retry_base_ms == 50


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CHAT_REGRESSIONS": "no-backof"}, "did you mean 'no-backoff'"),
        ({"CHAT_FLAGS": "chat_widget_enabled=maybe"}, "is not a boolean"),
        ({"CHAT_FLAGS": "rollout=on"}, "unknown feature flag 'rollout'"),
        ({"CHAT_RATE_LIMIT": "fast"}, "20/60"),
        ({"CHAT_RATE_LIMIT": "0/10"}, "positive"),
    ],
)
def test_a_bad_setting_stops_start_up_with_its_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


def test_flag_parsing() -> None:
    assert parse_flags(None) == {}
    assert parse_flags("chat_widget_enabled") == {"chat_widget_enabled": True}
    assert parse_flags("chat_widget_enabled:0,") == {"chat_widget_enabled": False}
    assert parse_rate_limit("5/0.5") == (5, 0.5)


# -- the rate limiter -------------------------------------------------------------------------


def test_the_limiter_slides_its_window() -> None:
    now = [100.0]
    limiter = SlidingWindowLimiter(2, 10, clock=lambda: now[0])
    assert limiter.hit("a") is None
    now[0] = 104.0
    assert limiter.hit("a") is None
    assert limiter.hit("a") == 6  # the first hit leaves the window at 110
    assert limiter.hit("b") is None
    now[0] = 110.0
    assert limiter.hit("a") is None
    now[0] = 110.5
    assert limiter.hit("a") == 4  # ceil(114 - 110.5)


# -- metrics ------------------------------------------------------------------------------------


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 95) is None
    assert percentile([7.0], 95) == 7.0
    assert percentile([float(v) for v in range(1, 101)], 95) == 95.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
