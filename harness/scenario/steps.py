"""Steps: what the scenario does to the page and to its faults."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag

from harness.scenario.base import Status, Strict


class PageArgs(Strict):
    path: str = "/"


class LoadPage(Strict):
    """Navigate to the app without opening the widget."""

    load_page: PageArgs = Field(default_factory=PageArgs)


class OpenWidget(Strict):
    """Load the page if needed, then open the widget with its launcher."""

    open_widget: PageArgs = Field(default_factory=PageArgs)


class WaitForArgs(Strict):
    status: Status
    timeout_ms: int = Field(default=30_000, ge=1, description="virtual milliseconds")


class WaitFor(Strict):
    wait_for: WaitForArgs


class Heal(Strict):
    heal: str = Field(description="id of the fault to remove")


class Inject(Strict):
    inject: str = Field(description="id of an `armed: false` fault to install now")


STEP_NAMES: tuple[str, ...] = ("load_page", "open_widget", "wait_for", "inject", "heal")


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return key if key in STEP_NAMES else None
    return None


Step = Annotated[
    Annotated[LoadPage, Tag("load_page")]
    | Annotated[OpenWidget, Tag("open_widget")]
    | Annotated[WaitFor, Tag("wait_for")]
    | Annotated[Inject, Tag("inject")]
    | Annotated[Heal, Tag("heal")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message="unknown step",
    ),
]
