"""The scenario language: YAML with line marks → validation → typed model.

Knows nothing of Playwright, mitmproxy or Allure.
"""

from harness.scenario.errors import Problem, ScenarioError
from harness.scenario.loader import load_scenario
from harness.scenario.model import Scenario

__all__ = ["Problem", "Scenario", "ScenarioError", "load_scenario"]
