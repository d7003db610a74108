"""Dependencies point one way (DESIGN.md): nothing below call/ reaches back up for a service.

Every import in the lower packages, lazy ones inside functions included, is read from the source."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import REPO

APPLIANCE = REPO / "appliance"
LOWER = ("dialog", "llm", "tools", "knowledge", "privacy", "audit", "store", "ops", "speech", "registry")
UPPER = ("appliance.call", "appliance.telephony", "appliance.sim", "appliance.cli")


def _imports(path) -> list[str]:  # type: ignore[no-untyped-def]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


@pytest.mark.parametrize("package", LOWER)
def test_a_lower_layer_never_imports_a_higher_one(package: str) -> None:
    upward = [
        f"{path.relative_to(REPO)}: {name}"
        for path in sorted((APPLIANCE / package).rglob("*.py"))
        for name in _imports(path)
        if any(name == upper or name.startswith(upper + ".") for upper in UPPER)
    ]
    assert upward == []
