"""YAML with line numbers: the one loader for every file people edit (site pack, scenarios, targets).

An error in such a file must name the file and the line. `load_yaml(path)` parses the file once
and returns the plain data together with `Lines`, a lookup from a key path (("turns", 2, "say"),
the shape of a pydantic error location) to the 1-based line of that value; a path that does not
exist in the file falls back to its nearest parent that does. Every failure is a `YamlError`
whose str() is "file:line: reason" (or "file: reason" when no line applies).
`Lines.validation_errors` turns a pydantic ValidationError into such errors, so each loader
reports validation problems the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

KeyPath = tuple[str | int, ...]


class YamlError(ValueError):
    """A YAML file that cannot be used; str() is "file:line: reason"."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")


def _norm(key_path: Sequence[Any]) -> tuple[str, ...]:
    # Mapping keys and list indices both become text: a YAML key `2:` and pydantic's index 2
    # then meet, and one level never holds a key and an index at once.
    return tuple(str(part) for part in key_path)


class Lines:
    """Where each value of one YAML file stands."""

    def __init__(self, path: Path, table: dict[tuple[str, ...], int]) -> None:
        self.path = path
        self._table = table

    def line(self, key_path: Sequence[Any]) -> int:
        """The line of the value at key_path, or of its nearest parent that the file has."""
        parts = _norm(key_path)
        while parts and parts not in self._table:
            parts = parts[:-1]
        return self._table.get(parts, 1)

    def error(self, key_path: Sequence[Any], reason: str) -> YamlError:
        return YamlError(self.path, self.line(key_path), reason)

    def validation_errors(self, exc: ValidationError) -> list[YamlError]:
        """One located error per pydantic error, reason "dotted.path: message"."""
        out = []
        for err in exc.errors(include_url=False):
            # model validators add "function-after[...]" parts that are no place in the file
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            message = str(err["msg"]).removeprefix("Value error, ")
            where = ".".join(str(p) for p in loc)
            out.append(self.error(loc, f"{where}: {message}" if where else message))
        return out


def load_yaml(path: Path | str) -> tuple[Any, Lines]:
    """Plain data and its `Lines` for one YAML file; raises YamlError (missing, unreadable,
    not YAML, or a key given twice in one mapping)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise YamlError(path, None, "file not found") from None
    except OSError as exc:
        raise YamlError(path, None, f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise YamlError(path, None, "cannot be read: not UTF-8 text") from None
    loader = yaml.SafeLoader(text)
    table: dict[tuple[str, ...], int] = {}
    try:
        node = loader.get_single_node()
        if node is not None:
            # before constructing: merge keys (<<) rewrite the node tree as they are built
            _walk(path, node, (), table, set())
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(
            path, mark.line + 1 if mark else None, f"not valid YAML: {exc.problem or exc.context}"
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(path, None, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, Lines(path, table)


def _walk(
    path: Path, node: yaml.Node, here: tuple[str, ...], table: dict[tuple[str, ...], int], above: set[int]
) -> None:
    # a block value stands on its first line (a section's first key), not on its key's line
    table.setdefault(here, node.start_mark.line + 1)
    if id(node) in above:  # an alias that refers back to its own parent
        return
    above = above | {id(node)}
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen and name != "<<":
                raise YamlError(path, key.start_mark.line + 1, f"key {name!r} appears twice")
            seen.add(name)
            _walk(path, value, (*here, name), table, above)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(path, item, (*here, str(i)), table, above)
