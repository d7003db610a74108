"""Dependencies point one way (DESIGN.md): the packages of appliance/ never import a package drawn
above them (so nothing below call/ reaches back up for a service, nor knows SIP from a file), they
import each other in no loop, and the modules of a package import each other in no loop. The
README's Layout section lists every package in the same order, so the drawing people read cannot
drift from this one.

Every import, lazy ones inside functions included, is read from the source; imports only for type
checking (`if TYPE_CHECKING:`) are not dependencies and are left out of the loop checks."""

from __future__ import annotations

import ast
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

APPLIANCE = REPO / "appliance"
# DESIGN.md's drawing, top to bottom: `cli → (telephony | sim) → call → (speech, dialog) → (llm,
# tools, knowledge) → (privacy, audit, store)`, with the packages it leaves out put where they
# serve. A package imports its own tier and the tiers below it, never one above; within a tier,
# the package-level loop check keeps the arrows one way.
TIERS: tuple[tuple[str, ...], ...] = (
    ("cli",),
    ("service",),  # the systemd service around the workers: runner, doctor, maintenance, journal
    ("frontdoor",),  # Kamailio in front of the SIP workers, and their supervisor
    ("telephony", "sim"),
    ("call",),
    ("registry", "ops"),  # engines built from the active models; what calls leave for figures
    ("pidfile",),  # which of the box's processes run now, from their pid and state files
    ("speech", "dialog"),
    ("llm", "tools", "knowledge"),
    ("privacy", "audit", "store"),
    # what every layer shares: settings, events, audio frames, outcomes, words, files
    (
        "config",
        "events",
        "audio",
        "outcomes",
        "numwords",
        "yamlsource",
        "model_slot",
        "worker_state",
        "pinned_files",
    ),
)
TIER = {package: depth for depth, tier in enumerate(TIERS) for package in tier}


def _imports(path: Path, *, with_typing: bool = True) -> list[str]:
    return [name for name, _ in _imports_at(path, with_typing=with_typing)]


def _imports_at(path: Path, *, with_typing: bool = True) -> list[tuple[str, int]]:
    """(imported name, line) for every import in `path`; relative imports made absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if not with_typing:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    package = _module(path).split(".") if path.name == "__init__.py" else _module(path).split(".")[:-1]
    names: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            names += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # `from . import x` in appliance/audit/verify.py: appliance.audit.x
                base = ".".join([*package[: len(package) - node.level + 1], *filter(None, [node.module])])
            names.append((base, node.lineno))
            names += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return names


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(module: str) -> str | None:
    """`appliance.call.session` -> "call"; None outside appliance/ and for appliance itself."""
    parts = module.split(".")
    return parts[1] if parts[0] == "appliance" and len(parts) > 1 else None


def _packages() -> set[str]:
    return {
        path.stem if path.is_file() else path.name
        for path in APPLIANCE.iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path.is_dir() and any(path.glob("*.py")))
    }


def _package_arrows(*, with_typing: bool) -> Iterator[tuple[str, str, str]]:
    """(from package, to package, "file:line imports name") for every import between packages."""
    packages = _packages()
    for path in sorted(APPLIANCE.rglob("*.py")):
        source = _package(_module(path))
        seen: set[tuple[int, str | None]] = set()
        for name, line in _imports_at(path, with_typing=with_typing):
            target = _package(name)
            if source and target and target != source and target in packages and (line, target) not in seen:
                seen.add((line, target))  # `from a.b import c, d`: one arrow, a.b
                yield source, target, f"{path.relative_to(REPO)}:{line} imports {name}"


def _loops(edges: dict[str, set[str]]) -> list[list[str]]:
    loops: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            loops.append([*trail[trail.index(name) :], name])
            return
        if name in done:
            return
        for target in sorted(edges.get(name, ())):
            visit(target, [*trail, name])
        done.add(name)

    for name in sorted(edges):
        visit(name, [])
    return loops


def test_every_package_has_its_place_in_the_drawing() -> None:
    unplaced, gone = sorted(_packages() - set(TIER)), sorted(set(TIER) - _packages())
    assert (unplaced, gone) == ([], []), f"not in TIERS: {unplaced}; in TIERS but not in appliance/: {gone}"


def test_no_package_imports_a_package_drawn_above_it() -> None:
    upward = sorted(
        f"{source} -> {target}: {where}"
        for source, target, where in _package_arrows(with_typing=True)
        if TIER.get(target, len(TIERS)) < TIER.get(source, len(TIERS))
    )
    assert not upward, "\n".join(["imports drawn upward:", *upward])


def test_the_packages_import_each_other_in_no_loop() -> None:
    edges: dict[str, set[str]] = {}
    where: dict[tuple[str, str], str] = {}
    for source, target, at in _package_arrows(with_typing=False):
        edges.setdefault(source, set()).add(target)
        where.setdefault((source, target), at)
    loops = [
        " -> ".join(loop) + "  (" + "; ".join(where[a, b] for a, b in itertools.pairwise(loop)) + ")"
        for loop in _loops(edges)
    ]
    assert not loops, "\n".join(["package import loops:", *loops])


@pytest.mark.parametrize("package", sorted(p for p in _packages() if (APPLIANCE / p).is_dir()))
def test_the_modules_of_a_package_import_each_other_in_no_loop(package: str) -> None:
    paths = sorted((APPLIANCE / package).rglob("*.py"))
    modules = {_module(path): path for path in paths}
    edges = {
        name: {m for m in _imports(path, with_typing=False) if m in modules and m != name}
        for name, path in modules.items()
    }
    assert _loops(edges) == []


def _readme_layout() -> list[str]:
    """The names the README's "Layout" section lists inside appliance/, in the order drawn there.

    The section's second code block is the list of appliance/'s packages and shared modules, one a
    line (`call/  …`, `config.py  …`), top to bottom as the imports run."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.find("\n## Layout\n")
    assert start >= 0, "README.md has no '## Layout' section"
    end = readme.find("\n## ", start + 1)
    blocks = readme[start : end if end >= 0 else None].split("```")[1::2]
    assert len(blocks) >= 2, "README.md's Layout section has no code block listing appliance/"
    return [m.group(1) for m in re.finditer(r"^([a-z_]+)(?:/|\.py)\s", blocks[1], re.MULTILINE)]


def test_the_readme_layout_lists_every_package_in_its_place() -> None:
    listed = _readme_layout()
    missing, gone = sorted(_packages() - set(listed)), sorted(set(listed) - _packages())
    assert (missing, gone) == ([], []), (
        f"README.md's Layout section lacks {missing}; it lists {gone}, which appliance/ does not hold"
    )
    out_of_order = [
        f"{a} (row {TIER[a]}) before {b} (row {TIER[b]})"
        for a, b in itertools.pairwise(listed)
        if TIER[a] > TIER[b]
    ]
    assert not out_of_order, (
        "README.md's Layout section lists a package before one TIERS draws above it: "
        + "; ".join(out_of_order)
    )
