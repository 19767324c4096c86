"""Does a request match an HTTP fault's ``http:`` section? Pure functions."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from harness.scenario.faults import HttpMatch

GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class RequestFacts:
    """What matching looks at, independent of mitmproxy."""

    method: str
    path: str  # without the query
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    host: str


def is_glob(text: str) -> bool:
    return any(c in GLOB_CHARS for c in text)


def text_matches(pattern: str, value: str) -> bool:
    """Exact, or a glob when the pattern has ``* ? [``."""
    return fnmatch.fnmatchcase(value, pattern) if is_glob(pattern) else value == pattern


@lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def matches(spec: HttpMatch, request: RequestFacts) -> bool:
    """Every field the spec gives must match."""
    if spec.method and spec.method != request.method.upper():
        return False
    if spec.path is not None and not text_matches(spec.path, request.path):
        return False
    if spec.path_regex is not None and not _regex(spec.path_regex).search(request.path):
        return False
    if spec.host is not None and not text_matches(spec.host.lower(), request.host.lower()):
        return False
    for name, pattern in spec.query.items():
        value = request.query.get(name)
        if value is None or not text_matches(pattern, value):
            return False
    for name, pattern in spec.headers.items():
        value = request.headers.get(name.lower())
        if value is None or not text_matches(pattern, value):
            return False
    return True
