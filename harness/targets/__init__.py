"""Target profiles: how to reach a widget and read what it shows, in its own vocabulary."""

from harness.targets.profile import Locator, TargetProfile, load_profile, resolve_target

__all__ = ["Locator", "TargetProfile", "load_profile", "resolve_target"]
