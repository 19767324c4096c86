"""Root conftest.

The chaos-harness pytest plugin is registered by its ``pytest11`` entry point
(see pyproject.toml), so any project that installs chaos-harness collects its
``scenarios/**/*.yaml`` the same way this repository does.
"""
