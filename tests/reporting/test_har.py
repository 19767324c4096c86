import json

from harness.reporting.har import REDACTED, build_har, har_json


def flow(**over: object) -> dict:  # type: ignore[type-arg]
    base = {
        "method": "POST", "path": "/api/dynamic-ai/chat?stream=1", "status": 503, "request_id": None,
        "fault": "send-flaky", "ms": 7.5, "started": 1_700_000_000.25,
        "flow": {
            "url": "http://127.0.0.1:8080/api/dynamic-ai/chat?stream=1", "http_version": "HTTP/1.1",
            "request_headers": [("Content-Type", "application/json"), ("Authorization", "Bearer s3cret"),
                                ("Cookie", "session=abc")],
            "request_body": '{"message": "hi"}',
            "response_headers": [("content-type", "application/json"), ("Set-Cookie", "session=def; HttpOnly")],
            "response_body": '{"ok": false}', "reason": "Service Unavailable",
        },
    }
    base.update(over)
    return base


def test_credentials_never_leave_the_machine() -> None:
    text = har_json([flow()])
    assert "s3cret" not in text and "session=abc" not in text and "session=def" not in text
    entry = json.loads(text)["log"]["entries"][0]
    headers = {h["name"]: h["value"] for h in entry["request"]["headers"] + entry["response"]["headers"]}
    assert headers["Authorization"] == headers["Cookie"] == headers["Set-Cookie"] == REDACTED
    assert headers["Content-Type"] == "application/json"


def test_entries_are_har_1_2_with_the_fault_that_answered() -> None:
    har = build_har([flow(), flow(status=None, error="connection reset", fault=None, started=1_699_999_999.0)])
    log = har["log"]
    assert log["version"] == "1.2" and log["creator"]["name"] == "chaos-harness"
    reset, answered = log["entries"]  # in the order they started
    assert reset["response"]["status"] == 0 and reset["_error"] == "connection reset"
    assert answered["_chaosFault"] == "send-flaky"
    assert answered["response"]["status"] == 503 and answered["response"]["statusText"] == "Service Unavailable"
    assert answered["request"]["queryString"] == [{"name": "stream", "value": "1"}]
    assert answered["request"]["postData"] == {"mimeType": "application/json", "text": '{"message": "hi"}'}
    assert answered["startedDateTime"] == "2023-11-14T22:13:20.250000Z"
    assert answered["time"] == 7.5
