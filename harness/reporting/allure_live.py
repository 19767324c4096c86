"""Write into the Allure result allure-pytest keeps open for the running item.

allure-pytest owns the result (status, the failure, timings, fixtures); we add
what only the harness knows: labels, parameters, the description, a step tree
rebuilt from the timeline with its real start and stop times (``allure.step``
context managers cannot be opened after the fact), and attachments. This goes
through allure-pytest's own reporter (``AllureReporter``, found under the plugin
name ``allure_listener``), the same object its ``allure.dynamic`` helpers use;
tests in ``tests/reporting`` pin the result JSON so an upgrade that changes it
is caught.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from allure_commons.model2 import Label, Link, Parameter, StatusDetails, TestStepResult

from harness.reporting.steps import StepNode

PLAYWRIGHT_TRACE = "application/vnd.allure.playwright-trace"  # Allure 3 opens it in the trace viewer


def md5(text: str) -> str:
    """The digest Allure uses for ids (``allure_commons.utils.md5`` of one string)."""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def uuid4() -> str:
    return str(uuid.uuid4())


class LiveResult:
    """The open Allure result of the current item (in this thread)."""

    def __init__(self, reporter: Any) -> None:
        self.reporter = reporter

    @classmethod
    def of(cls, config: pytest.Config) -> LiveResult | None:
        """None when Allure is off (no ``--alluredir``) or the item has no open result."""
        listener = config.pluginmanager.getplugin("allure_listener")
        reporter = getattr(listener, "allure_logger", None)
        if reporter is None or reporter.get_test(None) is None:
            return None
        return cls(reporter)

    @property
    def test(self) -> Any:
        return self.reporter.get_test(None)

    # --- metadata -----------------------------------------------------------------

    def set_title(self, title: str) -> None:
        self.test.name = title

    def set_description(self, markdown: str) -> None:
        self.test.description = markdown

    def add_label(self, name: str, value: str) -> None:
        labels = self.test.labels
        if not any(label.name == name and label.value == value for label in labels):
            labels.append(Label(name=name, value=value))

    def replace_label(self, name: str, value: str) -> None:
        self.test.labels = [label for label in self.test.labels if label.name != name]
        self.test.labels.append(Label(name=name, value=value))

    def labels(self, name: str) -> list[str]:
        return [str(label.value) for label in self.test.labels if label.name == name]

    def add_parameter(self, name: str, value: str, *, excluded: bool = False) -> None:
        params = [p for p in self.test.parameters if p.name != name]
        params.append(Parameter(name=name, value=value, excluded=excluded or None))
        self.test.parameters = params

    def add_link(self, url: str, name: str, link_type: str = "link") -> None:
        if not any(link.url == url for link in self.test.links):
            self.test.links.append(Link(type=link_type, url=url, name=name))

    def set_history_id(self, key: str) -> None:
        """History follows the scenario (id and target), not its file's place in the tree."""
        self.test.historyId = md5(key)
        self.test.testCaseId = md5(key.split("@", 1)[0])

    def set_message(self, message: str) -> None:
        details = self.test.statusDetails
        if details is None:
            self.test.statusDetails = StatusDetails(message=message)
        else:
            details.message = message

    @property
    def uuid(self) -> str:
        return str(self.test.uuid)

    # --- steps and attachments ---------------------------------------------------------

    def add_steps(self, nodes: Sequence[StepNode], epoch_ms: float) -> None:
        """Each node a step with its own start and stop; screenshots attached inside it."""
        for node in nodes:
            uuid = uuid4()
            step = TestStepResult(
                name=node.name,
                start=int(epoch_ms + node.start_ms),
                parameters=[Parameter(name=k, value=v) for k, v in node.parameters.items()],
            )
            self.reporter.start_step(None, uuid, step)
            for name, path in node.screenshots:
                if path.is_file():
                    self.attach_file(path, f"screenshot: {name}", "image/png", "png")
            self.add_steps(node.children, epoch_ms)
            details = StatusDetails(message=node.message) if node.message else None
            self.reporter.stop_step(uuid, stop=int(epoch_ms + node.stop_ms), status=node.status,
                                    statusDetails=details)

    def attach_data(self, body: str | bytes, name: str, mime: str, extension: str) -> None:
        self.reporter.attach_data(uuid4(), body, name=name, attachment_type=mime, extension=extension)

    def attach_file(self, path: Path, name: str, mime: str, extension: str) -> None:
        self.reporter.attach_file(uuid4(), str(path), name=name, attachment_type=mime, extension=extension)
