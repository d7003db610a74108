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

# People write these files by hand; none comes near this. A bigger one is a mistake or an attack.
MAX_YAML_BYTES = 2 * 1024 * 1024


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


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases (`*name`): a few lines of them expand into gigabytes
    (the "billion laughs"), and a hand-written policy file never needs one."""

    def __init__(self, text: str, path: Path) -> None:
        super().__init__(text)
        self.path = path

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise YamlError(
                self.path,
                mark.line + 1,
                "aliases (*name) are not allowed here: write the value out where it is needed",
            )
        return super().compose_node(parent, index)


def load_yaml(path: Path | str, max_bytes: int = MAX_YAML_BYTES) -> tuple[Any, Lines]:
    """Plain data and its `Lines` for one YAML file; raises YamlError (missing, unreadable,
    larger than `max_bytes`, not UTF-8, not YAML, an alias, or a key given twice in one mapping)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise YamlError(path, None, f"{size} bytes: larger than the {max_bytes // 1024} KiB allowed")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise YamlError(path, None, "file not found") from None
    except OSError as exc:
        raise YamlError(path, None, f"cannot be read: {exc.strerror}") from None
    text = _text(path, raw)
    loader = _NoAliasLoader(text, path)
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


def _text(path: Path, raw: bytes) -> str:
    """UTF-8 text, or a YamlError naming the line of the first byte that is not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise YamlError(path, line, "not UTF-8 text (a binary file?): save it as UTF-8") from None
    if "\x00" in text:
        raise YamlError(path, text.count("\n", 0, text.index("\x00")) + 1, "a NUL byte: not a text file")
    return text


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
