"""The API server's settings, read once from the environment.

The harness starts the server as a plain ``uvicorn --factory`` subprocess, so
everything it may vary per run (database, engine address, regressions, flags,
limits) is an environment variable. Tests build :class:`Settings` directly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reference_widget.regressions import parse_regressions

DEFAULT_STATIC_DIR = Path(__file__).resolve().parent.parent / "frontend" / "dist"

FLAG_DEFAULTS: dict[str, bool] = {"chat_widget_enabled": True}
"""Feature flags and their values when nothing overrides them."""

TRUE_WORDS = frozenset({"1", "true", "on", "yes"})
FALSE_WORDS = frozenset({"0", "false", "off", "no"})


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"'{text}' is not a boolean (use one of {', '.join(sorted(TRUE_WORDS | FALSE_WORDS))})")


def parse_flags(text: str | None) -> dict[str, bool]:
    """``"chat_widget_enabled=false,other:on"`` → ``{"chat_widget_enabled": False, ...}``.

    Unknown flag names raise ``ValueError``, so a typo in a rollback is loud.
    """
    flags: dict[str, bool] = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, sep, value = item.replace(":", "=", 1).partition("=")
        name = name.strip()
        if name not in FLAG_DEFAULTS:
            raise ValueError(f"unknown feature flag '{name}' (known flags: {', '.join(FLAG_DEFAULTS)})")
        flags[name] = parse_bool(value) if sep else True
    return flags


def parse_rate_limit(text: str) -> tuple[int, float]:
    """``"20/60"`` → 20 sends per 60 seconds per session."""
    count, _, seconds = text.partition("/")
    try:
        limit, window = int(count), float(seconds)
    except ValueError:
        raise ValueError(f"CHAT_RATE_LIMIT must look like 20/60 (sends/seconds), not '{text}'") from None
    if limit < 1 or window <= 0:
        raise ValueError(f"CHAT_RATE_LIMIT must be positive, not '{text}'")
    return limit, window


@dataclass(frozen=True)
class Settings:
    """Everything the API server may be told at start-up."""

    db_path: Path = Path("reference-widget.sqlite3")
    static_dir: Path = DEFAULT_STATIC_DIR
    engine_url: str = "http://127.0.0.1:8765"
    engine_timeout_s: float = 5.0
    engine_connect_timeout_s: float = 2.0
    rate_limit: int = 20
    rate_window_s: float = 60.0
    max_body_bytes: int = 32 * 1024
    max_message_chars: int = 2000
    regressions: tuple[str, ...] = ()
    regression_param: bool = False
    flags: Mapping[str, bool] = field(default_factory=lambda: dict(FLAG_DEFAULTS))
    retry_base_ms: int = 500
    max_retries: int = 3
    request_timeout_ms: int = 15000
    error_rate_baseline: float = 0.01

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``CHAT_*`` variables; a bad value stops start-up with its name."""
        env = os.environ if env is None else env
        limit, window = parse_rate_limit(env.get("CHAT_RATE_LIMIT", "20/60"))
        return cls(
            db_path=Path(env.get("CHAT_DB_PATH", "reference-widget.sqlite3")),
            static_dir=Path(env.get("CHAT_STATIC_DIR", str(DEFAULT_STATIC_DIR))),
            engine_url=env.get("CHAT_ENGINE_URL", cls.engine_url).rstrip("/"),
            engine_timeout_s=float(env.get("CHAT_ENGINE_TIMEOUT_S", cls.engine_timeout_s)),
            engine_connect_timeout_s=float(env.get("CHAT_ENGINE_CONNECT_TIMEOUT_S", cls.engine_connect_timeout_s)),
            rate_limit=limit,
            rate_window_s=window,
            max_body_bytes=int(env.get("CHAT_MAX_BODY_BYTES", cls.max_body_bytes)),
            regressions=parse_regressions(env.get("CHAT_REGRESSIONS")),
            regression_param=parse_bool(env.get("CHAT_REGRESSION_PARAM", "0")),
            flags={**FLAG_DEFAULTS, **parse_flags(env.get("CHAT_FLAGS"))},
            retry_base_ms=int(env.get("CHAT_RETRY_BASE_MS", cls.retry_base_ms)),
            max_retries=int(env.get("CHAT_MAX_RETRIES", cls.max_retries)),
            request_timeout_ms=int(env.get("CHAT_REQUEST_TIMEOUT_MS", cls.request_timeout_ms)),
            error_rate_baseline=float(env.get("CHAT_ERROR_RATE_BASELINE", cls.error_rate_baseline)),
        )

    def has(self, regression: str) -> bool:
        return regression in self.regressions
