"""``chaos-harness serve``: the reference stack, for a person to use by hand."""

from __future__ import annotations

import sys


def serve(*, port: int = 0, regression: str | None = None) -> int:
    """Start the reference stack, print ``serving http://127.0.0.1:<port>/``, run until Ctrl-C."""
    print("chaos-harness serve: not implemented yet (issue 3)", file=sys.stderr)
    return 3
