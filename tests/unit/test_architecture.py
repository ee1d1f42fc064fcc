"""The architecture can't drift: no import cycles, every package in a layer, strands registered.

import-linter (``make imports``) checks the layers and the strands' independence; these tests
add what it does not: no cycle anywhere (module by module), and no top-level package left out
of the layers contract (a new one would otherwise escape every rule).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

import grimp
import pytest

from csceval.registry import RegistryError, check_strands, registered_strands

ROOT = Path(__file__).resolve().parents[2]


def _edges() -> dict[str, set[str]]:
    """Direct imports between csceval modules, without a package's imports of its own children.

    ``pkg/__init__.py`` re-exporting ``pkg.child`` while ``pkg.child`` imports ``pkg.sibling``
    is how packages present an API; that is not a cycle between modules, so those edges (from a
    package to its own descendants) are left out. Every other edge counts.
    """
    graph = grimp.build_graph("csceval", cache_dir=None)
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        edges[module] = {
            imported
            for imported in graph.find_modules_directly_imported_by(module)
            if not imported.startswith(module + ".")
        }
    return edges


def strongly_connected(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm (iterative): the components with more than one module, or a self-loop."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(edges.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"], "e": ["e"]}
    assert sorted(strongly_connected(edges)) == [["a", "b", "c"], ["e"]]
    assert strongly_connected({"a": ["b"], "b": []}) == []


def test_no_import_cycles() -> None:
    cycles = strongly_connected(_edges())
    assert not cycles, f"import cycles: {cycles}"


def _layer_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")["layers"]
    return {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}


def test_every_top_level_module_is_in_a_layer() -> None:
    top = {
        "csceval." + (p.stem if p.is_file() else p.name)
        for p in (ROOT / "src" / "csceval").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    missing = sorted(top - _layer_packages())
    assert not missing, f"not in the layers contract of pyproject.toml: {missing}"


def test_every_strand_package_is_registered() -> None:
    """A strand package under csceval/strands/ that the registry does not list never runs."""
    packages = {
        p.name
        for p in (ROOT / "src" / "csceval" / "strands").iterdir()
        if (p / "__init__.py").is_file()
    }
    registered = {s.id.replace("-", "_") for s in registered_strands()}
    assert packages <= registered, (
        f"strand packages not registered: {sorted(packages - registered)}"
    )


def test_the_registry_refuses_clashing_declarations() -> None:
    built_in = registered_strands()
    with pytest.raises(RegistryError, match="two strands have the id"):
        check_strands([*built_in, built_in[0]])
    from dataclasses import replace

    costs = replace(next(s for s in built_in if s.id == "costs"), consumes=())
    with pytest.raises(RegistryError, match="already costs's"):
        check_strands([*built_in, replace(costs, id="costs-2", error_range=None, error_codes={})])
    with pytest.raises(RegistryError, match="not registered"):
        check_strands([replace(costs, consumes=("nowhere",))])
    looped = [replace(costs, id="a", consumes=("b",), tables=(), error_range=None, error_codes={})]
    looped.append(replace(looped[0], id="b", consumes=("a",)))
    with pytest.raises(RegistryError, match="circle"):
        check_strands(looped)
    with pytest.raises(RegistryError, match="outside its range"):
        check_strands([*built_in[:1], replace(costs, error_range=(3050, 3099))])


def test_consumers_run_after_what_they_consume() -> None:
    from dataclasses import replace

    costs = next(s for s in registered_strands() if s.id == "costs")
    bare = replace(costs, tables=(), error_range=None, error_codes={}, consumes=())
    first = replace(bare, id="first", consumes=("second",))
    second = replace(bare, id="second")
    assert [s.id for s in check_strands([first, second])] == ["second", "first"]


MAX_LINES = 400
LONG_MODULES_ALLOWED: dict[str, str] = {}
"""Modules allowed over MAX_LINES, with the reason (docs/architecture.md repeats it)."""


def test_no_module_over_400_lines() -> None:
    """Small modules (DESIGN.md); generated migrations excepted."""
    source = ROOT / "src" / "csceval"
    long = {
        str(path.relative_to(source)): n
        for path in source.rglob("*.py")
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    unexplained = {name: n for name, n in long.items() if name not in LONG_MODULES_ALLOWED}
    assert not unexplained, f"modules over {MAX_LINES} lines: {unexplained}"
