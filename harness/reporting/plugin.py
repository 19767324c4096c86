"""The reporting side of the pytest plugin: Allure metadata, the trace, the gallery, verdict words.

Registered by ``harness.pytest_plugin`` in ``pytest_configure``. It needs no
option of its own: with ``--alluredir`` every scenario result gets its steps,
labels and attachments (``scenario_report.py``), a failing one its Playwright
trace, and the run its gallery; without it, only the verdict words in pytest's
progress output change.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from harness.pytest_plugin import SCENARIO_KEY, TIMELINE_KEY, InvalidScenarioItem, ScenarioItem
from harness.reporting.allure_live import PLAYWRIGHT_TRACE, LiveResult
from harness.reporting.gallery import Album, Camera
from harness.verdicts import Verdict

ARTIFACTS = {  # pytest-playwright's kept artifacts (report.user_properties) → how Allure shows them
    "playwright_trace": ("Playwright trace (open in the trace viewer)", PLAYWRIGHT_TRACE, "zip"),
    "playwright_video": ("video", "video/webm", "webm"),
    "playwright_screenshot": ("screenshot at teardown", "image/png", "png"),
}
WORDS = {
    Verdict.REGRESSION: ("R", "WIDGET REGRESSION", {"red": True, "bold": True}),
    Verdict.BROKEN: ("B", "BROKEN INFRASTRUCTURE", {"yellow": True, "bold": True}),
    Verdict.INVALID: ("I", "INVALID SCENARIO", {"purple": True, "bold": True}),
}
MESSAGE_KEY = pytest.StashKey[str]()
_ALBUM = Album()  # this worker's gallery: what it photographed, what it tried


def allure_dir(config: pytest.Config) -> Path | None:
    value = getattr(config.option, "allure_report_dir", None)
    return Path(value).resolve() if value else None


def tracing_chosen(config: pytest.Config) -> bool:
    return any(str(arg).startswith("--tracing") for arg in config.invocation_params.args)


def pytest_configure(config: pytest.Config) -> None:
    """A failing scenario's report carries its Playwright trace unless ``--tracing`` says otherwise."""
    if allure_dir(config) and not tracing_chosen(config) and getattr(config.option, "tracing", None) == "off":
        config.option.tracing = "retain-on-failure"


@pytest.fixture(autouse=True)
def _chaos_gallery(request: pytest.FixtureRequest) -> None:
    """Photograph each piece of widget copy the first time this worker sees it (see ``gallery.py``)."""
    results = allure_dir(request.config)
    if results is None or not isinstance(request.node, ScenarioItem) or SCENARIO_KEY not in request.node.stash:
        return
    scenario_id = request.node.stash[SCENARIO_KEY].id
    profile = request.getfixturevalue("chaos_profile")
    context = request.getfixturevalue("context")
    cameras: list[Camera] = []

    def on_page(page: Any) -> None:
        timeline = request.node.stash.get(TIMELINE_KEY, None)
        if timeline is None:
            return
        if not cameras:
            cameras.append(Camera(results, scenario_id, _ALBUM, timeline, badge=profile.status.selector,
                                  extras=(profile.toasts.selector,), status_attribute=profile.status.attribute))
        cameras[0].watch(page)

    context.on("page", on_page)


def verdict_of(report: pytest.TestReport | pytest.CollectReport) -> Verdict | None:
    # A collection error's report (a test module that does not import) has no user properties.
    value = next((v for k, v in getattr(report, "user_properties", ()) if k == "chaos_verdict"), None)
    return Verdict(str(value)) if value else None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Outermost, so it sees the verdict and pytest-playwright's kept artifacts, and writes last."""
    report = yield
    if not isinstance(item, ScenarioItem | InvalidScenarioItem):
        return report
    live = LiveResult.of(item.config)
    if live is None:
        return report
    verdict = verdict_of(report)
    if verdict is not None:
        live.replace_label("verdict", str(verdict))
        if report.failed and call.excinfo is not None:
            item.stash[MESSAGE_KEY] = failure_message(verdict, call.excinfo.value)
    if isinstance(item, InvalidScenarioItem) and call.when == "call":
        live.set_title(f"invalid scenario file: {item.path.name}")
        live.add_label("feature", item.path.parent.name)
    if call.when == "teardown":
        finish(item, report, live)
    return report


def failure_message(verdict: Verdict, exc: BaseException) -> str:
    """The verdict and what failed, in domain words; the timeline excerpt stays in the trace below it."""
    if verdict == Verdict.INTERRUPTED:
        return f"{verdict}: the run was stopped (Ctrl-C or SIGTERM) before this scenario finished; no verdict"
    failures = getattr(exc, "failures", None)
    if failures:
        return f"{verdict}: " + "\n".join(f.render() for f in failures)
    return f"{verdict}: {exc}"


def finish(item: pytest.Item, report: pytest.TestReport, live: LiveResult) -> None:
    """Last word on the result: the failure message in domain words, artifacts, the history id."""
    message = item.stash.get(MESSAGE_KEY, None)
    if message:  # allure-pytest wrote the exception's class path first; QA reads the verdict
        live.set_message(message)
    root = Path(str(item.config.invocation_params.dir))
    for kind, value in report.user_properties:
        if kind in ARTIFACTS:
            name, mime, ext = ARTIFACTS[kind]
            path = Path(str(value))
            path = path if path.is_absolute() else root / path
            if path.is_file():
                live.attach_file(path, name, mime, ext)
    scenario = item.stash.get(SCENARIO_KEY, None)
    if scenario is not None:
        target = Path(str(item.config.getoption("--chaos-target", default="reference"))).stem
        live.set_history_id(f"{scenario.id}@{target}")


def pytest_report_teststatus(
    report: pytest.TestReport | pytest.CollectReport, config: pytest.Config
) -> tuple[str, str, Any] | None:
    """Progress in verdict words: WIDGET REGRESSION is not the same news as BROKEN INFRASTRUCTURE."""
    if not report.failed:
        return None
    verdict = verdict_of(report)
    if verdict not in WORDS:
        return None
    letter, word, markup = WORDS[verdict]
    return ("failed" if report.when == "call" else "error"), letter, (word, markup)
