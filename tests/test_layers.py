"""Dependencies point one way (DESIGN.md): nothing below call/ reaches back up for a service, and
the modules of a package never import each other in a loop.

Every import in the lower packages, lazy ones inside functions included, is read from the source;
imports only for type checking (`if TYPE_CHECKING:`) are not dependencies and are left out of the
loop check."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

APPLIANCE = REPO / "appliance"
LOWER = ("dialog", "llm", "tools", "knowledge", "privacy", "audit", "store", "ops", "speech", "registry")
UPPER = ("appliance.call", "appliance.telephony", "appliance.sim", "appliance.cli")
# packages whose modules import each other in no loop (privacy: kek.rotate_kek reaches for the store)
LOOP_FREE = ("dialog", "llm", "tools", "knowledge", "audit", "store", "ops", "speech", "registry")


def _imports(path: Path, *, with_typing: bool = True) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if not with_typing:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    names: list[str] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("package", LOWER)
def test_a_lower_layer_never_imports_a_higher_one(package: str) -> None:
    upward = [
        f"{path.relative_to(REPO)}: {name}"
        for path in sorted((APPLIANCE / package).rglob("*.py"))
        for name in _imports(path)
        if any(name == upper or name.startswith(upper + ".") for upper in UPPER)
    ]
    assert upward == []


@pytest.mark.parametrize("package", LOOP_FREE)
def test_the_modules_of_a_package_import_each_other_in_no_loop(package: str) -> None:
    paths = sorted((APPLIANCE / package).rglob("*.py"))
    modules = {_module(path): path for path in paths}
    edges = {
        name: {m for m in _imports(path, with_typing=False) if m in modules and m != name}
        for name, path in modules.items()
    }
    loops: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            loops.append([*trail[trail.index(name) :], name])
            return
        if name in done:
            return
        for target in sorted(edges[name]):
            visit(target, [*trail, name])
        done.add(name)

    for name in sorted(modules):
        visit(name, [])
    assert loops == []
