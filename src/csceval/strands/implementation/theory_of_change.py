"""The theory-of-change model: theories of nodes (input -> activity -> output -> outcome) and edges.

A theory of change is data, not code: ``theory_of_change.toml`` in the project folder replaces
the default shipped for the reference framework (``defaults/theory_of_change.toml``), so the
same checks and diagrams serve any framework. A file holds one or more theories (the default
has a practice and an organisational theory). Every node names the evidence that would test it
(see :mod:`csceval.strands.implementation.evidence`).

Checks, each with its own code: the file is TOML (E3101) of the declared shape (E3102); ids are
unique (E3103); kinds are known (E3104); edges join nodes of the same theory (E3105), never run
backwards in the chain (E3106) and form no cycle (E3107, naming the nodes on it); evidence
references are known (E3108; a planned strand name of earlier files, e.g. ``deep-dives``, is
read as the registered strand's id); a theory has nodes (E3109). Edges between nodes of the
same kind (e.g. a short-term outcome leading to a long-term one) are allowed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from csceval.errors import InputError, Problem
from csceval.project.documents import parse_toml
from csceval.strands.implementation.evidence import canonical, is_known

FILE = "theory_of_change.toml"
KINDS = ("input", "activity", "output", "outcome")
KIND_TITLES = {"input": "Inputs", "activity": "Activities", "output": "Outputs",
               "outcome": "Outcomes"}  # fmt: skip
KIND_LABELS = {"input": "Input", "activity": "Activity", "output": "Output", "outcome": "Outcome"}
RANK = {kind: i for i, kind in enumerate(KINDS)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class NodeSpec(_Strict):
    id: str = Field(min_length=1)
    kind: str
    title: str = Field(min_length=1)
    description: str = ""
    evidence: list[str] = Field(default_factory=list)


class EdgeSpec(_Strict):
    source: str = Field(alias="from")
    target: str = Field(alias="to")


class TheorySpec(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    nodes: list[NodeSpec] = Field(default_factory=list)
    edges: list[EdgeSpec] = Field(default_factory=list)


class FileSpec(_Strict):
    format_version: int = 1
    framework: str = ""
    theories: list[TheorySpec] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Node:
    """One box of a theory of change."""

    id: str
    kind: str
    title: str
    description: str
    evidence: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Theory:
    """One checked theory of change: nodes in file order and edges (source id, target id)."""

    id: str
    title: str
    description: str
    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def successors(self, node_id: str) -> tuple[str, ...]:
        return tuple(t for s, t in self.edges if s == node_id)


@dataclass(frozen=True, slots=True)
class TheoryOfChange:
    """A checked theory-of-change file."""

    framework: str
    theories: tuple[Theory, ...]
    source: str
    """Where it came from: the project file, or ``default`` for the shipped default."""


def default_path() -> Path:
    """The default theory of change shipped for the reference framework."""
    return Path(str(files("csceval.strands.implementation") / "defaults" / FILE))


def load_theory_of_change(root: Path | None = None) -> TheoryOfChange:
    """The project's ``theory_of_change.toml`` if it has one, else the default.

    Raises :class:`InputError` listing every problem when the file is invalid.
    """
    own = None if root is None else Path(root) / FILE
    if own is not None and own.is_file():
        return parse_theory_of_change(own.read_bytes(), FILE)
    return parse_theory_of_change(default_path().read_bytes(), "default")


def check_theory_file(root: Path) -> list[Problem]:
    """Every problem in the project's ``theory_of_change.toml`` ([] when it has none).

    For ``csceval validate``: the project loader can add these to its own problems.
    """
    try:
        load_theory_of_change(root)
    except InputError as exc:
        return exc.problems
    return []


def parse_theory_of_change(data: bytes, file: str = FILE) -> TheoryOfChange:
    """Parse and check a theory-of-change file's bytes; raise InputError when invalid."""
    label = FILE if file == "default" else file
    try:
        raw = parse_toml(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([Problem("CSC-E3101", f"not valid TOML: {exc}", file=label)]) from None
    try:
        spec = FileSpec.model_validate(raw)
    except ValidationError as exc:
        raise InputError([_structure_problem(e, label) for e in exc.errors()]) from None
    problems = check_theories(spec, label)
    if problems:
        raise InputError(problems)
    theories = tuple(
        Theory(
            t.id,
            t.title,
            t.description,
            tuple(
                Node(n.id, n.kind, n.title, n.description, tuple(map(canonical, n.evidence)))
                for n in t.nodes
            ),
            tuple((e.source, e.target) for e in t.edges),
        )
        for t in spec.theories
    )
    return TheoryOfChange(spec.framework, theories, file)


def _structure_problem(error: Any, file: str) -> Problem:
    location = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
    ).lstrip(".")
    value = error.get("input")
    message = {"missing": "required setting is missing", "extra_forbidden": "unknown setting"}
    return Problem(
        "CSC-E3102",
        message.get(error["type"], f"wrong value: {error['msg']}"),
        file=file,
        column=location,
        value="" if isinstance(value, dict | list) or error["type"] == "missing" else str(value),
        fix="see the default theory_of_change.toml in docs/methods.md for the shape",
    )


def check_theories(spec: FileSpec, file: str = FILE) -> list[Problem]:
    """Every rule beyond the file's shape, over all theories."""

    def problem(code: str, message: str, where: str, value: str = "", fix: str = "") -> Problem:
        return Problem(code, message, file=file, column=where, value=value, fix=fix)

    problems: list[Problem] = []
    if not spec.theories:
        problems.append(
            problem("CSC-E3109", "the file has no theory", "theories", fix="add [[theories]]")
        )
    seen_theories: set[str] = set()
    for ti, theory in enumerate(spec.theories):
        at = f"theories[{ti}]"
        if theory.id in seen_theories:
            problems.append(problem("CSC-E3103", "duplicate theory id", f"{at}.id", theory.id))
        seen_theories.add(theory.id)
        if not theory.nodes:
            problems.append(
                problem(
                    "CSC-E3109",
                    "the theory has no nodes",
                    f"{at}.nodes",
                    fix="add [[theories.nodes]]",
                )
            )
        kinds: dict[str, str] = {}
        for ni, node in enumerate(theory.nodes):
            where = f"{at}.nodes[{ni}]"
            if node.id in kinds:
                problems.append(
                    problem(
                        "CSC-E3103",
                        f"duplicate node id in theory {theory.id!r}",
                        f"{where}.id",
                        node.id,
                        "give every node of a theory its own id",
                    )
                )
            if node.kind not in KINDS:
                problems.append(
                    problem(
                        "CSC-E3104",
                        "unknown node kind",
                        f"{where}.kind",
                        node.kind,
                        f"use one of: {', '.join(KINDS)}",
                    )
                )
            kinds.setdefault(node.id, node.kind)
            for ei, ref in enumerate(node.evidence):
                if not is_known(ref):
                    problems.append(
                        problem(
                            "CSC-E3108",
                            "unknown evidence reference",
                            f"{where}.evidence[{ei}]",
                            ref,
                            "write indicator:<id> (docs/indicators.md), instrument:<id> or "
                            "strand:<id> (docs/methods.md lists them)",
                        )
                    )
        edges: list[tuple[str, str]] = []
        for ei, edge in enumerate(theory.edges):
            where = f"{at}.edges[{ei}]"
            ends = [(edge.source, "from"), (edge.target, "to")]
            unknown = [(n, side) for n, side in ends if n not in kinds]
            for name, side in unknown:
                problems.append(
                    problem(
                        "CSC-E3105",
                        f"edge names a node theory {theory.id!r} does not have",
                        f"{where}.{side}",
                        name,
                        "use the id of one of the theory's nodes",
                    )
                )
            if unknown:
                continue
            edges.append((edge.source, edge.target))
            src, dst = kinds[edge.source], kinds[edge.target]
            if src in RANK and dst in RANK and RANK[dst] < RANK[src]:
                problems.append(
                    problem(
                        "CSC-E3106",
                        f"edge goes backwards, from an {src} to an {dst}",
                        where,
                        f"{edge.source} -> {edge.target}",
                        "edges run input -> activity -> output -> outcome",
                    )
                )
        for cycle in find_cycles(list(kinds), edges):
            problems.append(
                problem(
                    "CSC-E3107",
                    f"theory {theory.id!r} has a cycle: " + " -> ".join([*cycle, cycle[0]]),
                    f"{at}.edges",
                    ", ".join(cycle),
                    "remove one of these edges: a theory of change runs one way",
                )
            )
    return problems


def find_cycles(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """One cycle (as a list of nodes) per strongly connected component that has one.

    Tarjan's algorithm finds the components; a cycle is then traced inside each from its first
    node (in ``nodes`` order), so the output is deterministic.
    """
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in edges:
        succ[s].append(t)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            components.append(component)

    for n in nodes:
        if n not in index:
            visit(n)
    order = {n: i for i, n in enumerate(nodes)}
    cycles = []
    for component in components:
        start = min(component, key=order.__getitem__)
        if len(component) == 1 and start not in succ[start]:
            continue
        cycles.append(_trace(start, component, succ))
    return sorted(cycles, key=lambda c: order[c[0]])


def _trace(start: str, component: set[str], succ: dict[str, list[str]]) -> list[str]:
    """A path from ``start`` back to itself inside a strongly connected component."""
    path, seen = [start], {start}

    def walk(v: str) -> bool:
        for w in succ[v]:
            if w == start:
                return True
            if w in component and w not in seen:
                seen.add(w)
                path.append(w)
                if walk(w):
                    return True
                path.pop()
        return False

    walk(start)
    return path
