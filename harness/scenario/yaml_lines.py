"""Safe YAML loading that remembers the line of every value.

Built on ``yaml.SafeLoader``'s node tree: no Python-object tags, no code, and
duplicate keys are reported instead of silently overwritten.
"""

from __future__ import annotations

from typing import Any

import yaml

from harness.scenario.errors import Problem

Path_ = tuple[str | int, ...]

MAX_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_NODES = 100_000


class LineMap(dict[Path_, int]):
    """Field path → 1-based line number."""

    def line_for(self, path: Path_) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        probe = tuple(path)
        while True:
            if probe in self:
                return self[probe]
            if not probe:
                return None
            probe = probe[:-1]


class _Builder:
    def __init__(self) -> None:
        self.lines = LineMap()
        self.problems: list[Problem] = []
        self.nodes = 0

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES} values (an alias bomb?)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested deeper than {MAX_DEPTH} levels")
        self.lines.setdefault(path, node.start_mark.line + 1)
        if node.tag not in PLAIN_TAGS:
            raise _BadTag(node.tag, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path, depth + 1)
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    self.problems.append(
                        Problem(render_path(path), key_node.start_mark.line + 1, "keys must be plain words")
                    )
                    continue
                skey = str(key)
                if skey in out:
                    self.problems.append(
                        Problem(
                            render_path((*path, skey)),
                            key_node.start_mark.line + 1,
                            f"duplicate key '{skey}'",
                            "each key may appear once; remove or merge the repeated one",
                        )
                    )
                    continue
                self.lines[(*path, skey)] = key_node.start_mark.line + 1
                out[skey] = self.build(value_node, (*path, skey), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return _SafeConstructor().construct_object(node, deep=True)


class _SafeConstructor(yaml.SafeLoader):
    def __init__(self) -> None:  # no stream: used only to construct scalars
        yaml.SafeLoader.__init__(self, "")


class _TooBig(Exception):
    pass


class _BadTag(Exception):
    def __init__(self, tag: str, line: int) -> None:
        super().__init__(tag)
        self.tag = tag
        self.line = line


PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


def render_path(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.replace("_", "").replace("-", "").isalnum():
            out += f"['{part}']"
        else:
            out += ("." if out else "") + part
    return out


def load_with_lines(text: str) -> tuple[Any, LineMap, list[Problem]]:
    """Parse ``text``; return the data, a line map and structural problems.

    Raises nothing for bad input: every problem comes back as a :class:`Problem`.
    """
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        return None, LineMap(), [Problem("", None, f"file is larger than {MAX_BYTES // 1000} kB", "split it up")]
    if "\x00" in text:
        return None, LineMap(), [Problem("", None, "file is binary, not YAML text")]
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = str(exc.problem or exc.context or "not valid YAML")
        if "could not determine a constructor" in str(exc) or (exc.problem and "tag" in exc.problem):
            message = "tags such as !!python/object are not allowed"
        return None, LineMap(), [Problem("", line, f"not valid YAML: {message}")]
    except yaml.YAMLError as exc:
        return None, LineMap(), [Problem("", None, f"not valid YAML: {exc}")]
    if node is None:
        return None, LineMap(), [Problem("", None, "file is empty", "a scenario needs at least id, title and steps")]
    builder = _Builder()
    try:
        data = builder.build(node, (), 0)
    except _TooBig as exc:
        return None, LineMap(), [Problem("", None, f"file is too complex: {exc}")]
    except _BadTag as exc:
        return (
            None,
            LineMap(),
            [
                Problem(
                    "",
                    exc.line,
                    f"tag '{exc.tag}' is not allowed; tags such as !!python/object are not allowed",
                    "write plain YAML values",
                )
            ],
        )
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        return None, LineMap(), [Problem("", line, "tags such as !!python/object are not allowed")]
    except yaml.YAMLError as exc:
        return None, LineMap(), [Problem("", None, f"not valid YAML: {exc}")]
    return data, builder.lines, builder.problems
