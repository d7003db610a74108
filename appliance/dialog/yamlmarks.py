"""YAML with line numbers: every value of a document keyed by its path, for errors that say where.

`load_with_lines` composes the document (PyYAML's node tree keeps each node's start mark) and
builds plain Python data from it, plus a map from a value's path (a tuple of keys and list
indices) to the 1-based line it starts on. Validation errors carry a path; `line_for` turns it
into the line of the deepest part of the path that exists in the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


class YamlProblem(Exception):
    """A file that is not readable YAML; `line` is 1-based, 0 when unknown."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def load_with_lines(path: Path) -> tuple[Any, dict[PathKey, int]]:
    """Plain data and {path: line} for one YAML file; raises YamlProblem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlProblem("file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlProblem(f"cannot be read: {exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        raise YamlProblem(f"not valid YAML: {exc.problem or exc.context}", line) from None
    if node is None:
        return None, {(): 1}
    lines: dict[PathKey, int] = {}
    try:
        return _build(node, (), lines), lines
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise YamlProblem(f"not valid YAML: {exc.problem}", mark.line + 1 if mark else 0) from None


def _build(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if key in out:
                raise YamlProblem(f"key {key!r} appears twice", key_node.start_mark.line + 1)
            out[key] = _build(value_node, (*path, key), lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), lines) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise YamlProblem("a key must be plain text", node.start_mark.line + 1)
    return node.value if node.tag.endswith(":str") else _typed(node)


def _typed(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def line_for(lines: dict[PathKey, int], loc: Sequence[str | int]) -> int:
    """The line of the deepest existing prefix of `loc` (pydantic's error location)."""
    parts = tuple(loc)
    while parts:
        if parts in lines:
            return lines[parts]
        parts = parts[:-1]
    return lines.get((), 1)
