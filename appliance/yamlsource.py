"""YAML with line numbers: load a file and say on which line any value stands.

Site packs and scenarios are edited by people; an error must name the file and the line.
`load_yaml(path)` returns the data and a `Lines` lookup from a key path (("turns", 2, "say"))
to the 1-based line of that value. Errors raise YamlError with "file:line: reason".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class YamlError(ValueError):
    """A YAML file that cannot be used; str() is "file:line: reason"."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")


class Lines:
    def __init__(self, path: Path, table: dict[tuple[Any, ...], int]) -> None:
        self.path = path
        self._table = table

    def line(self, key_path: tuple[Any, ...]) -> int | None:
        """The line of the value at key_path, or of its nearest parent that has one."""
        key_path = tuple(key_path)
        while key_path and key_path not in self._table:
            key_path = key_path[:-1]
        return self._table.get(key_path, 1)

    def error(self, key_path: tuple[Any, ...], reason: str) -> YamlError:
        return YamlError(self.path, self.line(key_path), reason)


def _walk(node: yaml.Node, here: tuple[Any, ...], table: dict[tuple[Any, ...], int]) -> None:
    table[here] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value
            table[(*here, k)] = key.start_mark.line + 1
            _walk(value, (*here, k), table)
            table[(*here, k)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*here, i), table)


def load_yaml(path: Path) -> tuple[Any, Lines]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlError(path, None, f"cannot be read: {exc.strerror}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlError(path, line, f"not valid YAML: {exc.problem or exc.context}") from None
    table: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _walk(node, (), table)
    return data, Lines(Path(path), table)
