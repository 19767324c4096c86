"""Shared base of every scenario model: strict, frozen, aliases allowed."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Status = Literal["idle", "syncing", "connected", "error"]
STATUSES: tuple[str, ...] = ("idle", "syncing", "connected", "error")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
