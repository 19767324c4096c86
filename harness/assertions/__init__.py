"""Expectations, evaluated against the timeline only (never the page)."""

from harness.assertions.base import ExpectationFailed, Failure, evaluate

__all__ = ["ExpectationFailed", "Failure", "evaluate"]
