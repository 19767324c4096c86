"""Analytics, telemetry, metrics and config routes, against a real SQLite file."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from reference_widget.backend.config import Settings
from reference_widget.backend.storage import Storage
from tests.reference_widget.conftest import MakeClient, failing_engine

pytestmark = pytest.mark.anyio


def status_event(status: str, previous: str | None, duration_ms: float, session: str = "s1") -> dict[str, Any]:
    return {
        "event": "chat_status_changed",
        "status": status,
        "previous": previous,
        "session_id": session,
        "timestamp": "2025-01-01T00:00:00.000Z",
        "duration_ms": duration_ms,
    }


async def post_all(api: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
    for event in events:
        response = await api.post("/api/analytics", json=event)
        assert response.status_code == 202, response.text


# -- analytics and telemetry ---------------------------------------------------------------


async def test_analytics_events_are_stored_in_sqlite(api: httpx.AsyncClient, settings: Settings) -> None:
    event = status_event("syncing", "idle", 12.5)
    response = await api.post("/api/analytics", json=event)
    assert response.status_code == 202 and response.json() == {"ok": True}
    assert Storage(settings.db_path).events("analytics") == [event]
    listed = await api.get("/api/analytics", params={"event": "chat_status_changed", "session_id": "s1"})
    assert listed.json() == {"ok": True, "events": [event]}
    assert (await api.get("/api/analytics", params={"session_id": "other"})).json()["events"] == []


async def test_telemetry_is_stored_apart_from_analytics(api: httpx.AsyncClient, settings: Settings) -> None:
    error = {"event": "chat_error", "operation": "send", "status": 503, "request_id": "r1", "category": "server"}
    assert (await api.post("/api/telemetry", json=error)).status_code == 202
    storage = Storage(settings.db_path)
    assert storage.events("telemetry") == [error]
    assert storage.events("analytics") == []
    assert (await api.get("/api/telemetry")).json()["events"] == [error]


@pytest.mark.parametrize(
    ("payload", "status"),
    [({"status": "idle"}, 422), ({"event": "Not Snake"}, 422), ({"event": 5}, 422), ([1], 400)],
)
@pytest.mark.parametrize("route", ["/api/analytics", "/api/telemetry"])
async def test_events_without_a_valid_name_are_rejected(
    api: httpx.AsyncClient, route: str, payload: Any, status: int
) -> None:
    response = await api.post(route, json=payload)
    assert response.status_code == status and response.json()["ok"] is False


async def test_oversized_events_are_rejected(api: httpx.AsyncClient) -> None:
    response = await api.post("/api/analytics", json={"event": "x", "blob": "y" * 10_000})
    assert response.status_code == 413


# -- metrics ----------------------------------------------------------------------------------


async def test_metrics_on_an_empty_store(api: httpx.AsyncClient) -> None:
    data = (await api.get("/api/metrics")).json()
    assert data["sends"] == {"total": 0, "failed": 0, "recoverable": 0, "error_rate": 0.0}
    assert data["history_loads"] == {"total": 0, "failed": 0, "error_rate": 0.0}
    assert data["sync_duration_ms"] == {"count": 0, "average": None, "p95": None}
    assert data["alert"]["firing"] is False


async def test_metrics_count_error_rates_and_sync_durations(api: httpx.AsyncClient) -> None:
    outcomes = (
        [{"event": "chat_message_sent"}] * 7
        + [{"event": "chat_message_failure", "status": 503}] * 2
        + [{"event": "chat_message_recoverable_error", "status": 429}]
        + [{"event": "chat_history_synced"}] * 3
        + [{"event": "chat_history_sync_failed", "status": None}]
    )
    durations = [status_event("connected", "syncing", float(ms)) for ms in range(10, 210, 10)]  # 10..200
    noise = [status_event("syncing", "idle", 5000.0), status_event("error", "syncing", -1.0)]
    await post_all(api, outcomes + durations + noise)
    data = (await api.get("/api/metrics", params={"window_s": "600"})).json()
    assert data["window_s"] == 600
    assert data["sends"] == {"total": 10, "failed": 2, "recoverable": 1, "error_rate": 0.2}
    assert data["history_loads"] == {"total": 4, "failed": 1, "error_rate": 0.25}
    assert data["sync_duration_ms"] == {"count": 20, "average": 105.0, "p95": 190.0}
    assert data["alert"] == {"baseline": 0.01, "firing": True, "over_baseline": ["sends", "history_loads"]}


async def test_metrics_report_the_api_request_log(make_client: MakeClient) -> None:
    api = await make_client(failing_engine(raises=httpx.ConnectError("refused")))
    await api.post("/api/dynamic-ai/chat", json={"sessionId": "s1", "message": "hi"})
    await api.post("/api/dynamic-ai/chat", json={"sessionId": "s1", "message": ""})
    await api.get("/api/dynamic-ai/chat", params={"sessionId": "s1"})
    server = (await api.get("/api/metrics")).json()["server"]
    assert server["send"] == {"total": 2, "failed": 1, "error_rate": 0.5}
    assert server["history"] == {"total": 1, "failed": 0, "error_rate": 0.0}


@pytest.mark.parametrize("window", ["0", "-5", "abc", str(8 * 24 * 3600)])
async def test_metrics_reject_a_bad_window(api: httpx.AsyncClient, window: str) -> None:
    response = await api.get("/api/metrics", params={"window_s": window})
    assert response.status_code == 422 and response.json()["hint"]


async def test_metrics_only_count_the_window(api: httpx.AsyncClient, settings: Settings) -> None:
    storage = Storage(settings.db_path)
    storage.add_event("analytics", "chat_message_failure", "s1", {"event": "chat_message_failure"})
    with storage._connect() as db:  # age the event by two hours
        db.execute("UPDATE events SET received_at = received_at - 7200")
    assert (await api.get("/api/metrics", params={"window_s": "3600"})).json()["sends"]["total"] == 0
    assert (await api.get("/api/metrics", params={"window_s": "10800"})).json()["sends"]["total"] == 1


# -- config: feature flag and regressions --------------------------------------------------------


async def test_config_defaults(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/config")
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "ok": True,
        "flags": {"chat_widget_enabled": True},
        "regressions": [],
        "client": {"retry_base_ms": 500, "max_retries": 3, "request_timeout_ms": 15000},
    }


async def test_config_flag_overrides_from_server_and_query(make_client: MakeClient) -> None:
    api = await make_client(flags={"chat_widget_enabled": False})
    assert (await api.get("/api/config")).json()["flags"] == {"chat_widget_enabled": False}
    on = await api.get("/api/config", params={"flags": "chat_widget_enabled=on"})
    assert on.json()["flags"] == {"chat_widget_enabled": True}
    off = await api.get("/api/config", params={"flags": "chat_widget_enabled:false"})
    assert off.json()["flags"] == {"chat_widget_enabled": False}


async def test_config_rejects_an_unknown_flag(api: httpx.AsyncClient) -> None:
    response = await api.get("/api/config", params={"flags": "chat_widget=off"})
    assert response.status_code == 422
    assert "unknown feature flag 'chat_widget'" in response.json()["error"]


async def test_config_serves_the_server_regressions(make_client: MakeClient) -> None:
    api = await make_client(regressions=("no-backoff",))
    assert (await api.get("/api/config")).json()["regressions"] == ["no-backoff"]


async def test_the_regression_param_is_ignored_unless_the_server_allows_it(make_client: MakeClient) -> None:
    normal = await make_client()
    assert (await normal.get("/api/config", params={"regression": "no-backoff"})).json()["regressions"] == []
    allowing = await make_client(regression_param=True, regressions=("no-backoff",))
    data = (await allowing.get("/api/config", params={"regression": "no-back-online-toast,no-backoff"})).json()
    assert data["regressions"] == ["no-backoff", "no-back-online-toast"]
    bad = await allowing.get("/api/config", params={"regression": "no-backof"})
    assert bad.status_code == 422 and "did you mean 'no-backoff'" in bad.json()["error"]
