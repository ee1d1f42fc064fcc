"""The codebook and the topic guide: versioned TOML files, with defaults shipped as package data.

``interviews/codebook.toml`` holds hierarchical codes (id, title, definition, optional parent,
inclusion and exclusion criteria, an example, the theory-of-change box it speaks to) and a
change log (``[[changes]]``: version, change) that merges and splits append to;
``interviews/topic_guide.toml`` the interview questions by section. Without a project file the
defaults in ``defaults/`` are used (deductive codes, one per box of the default theory of change).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from csceval.errors import InputError, Problem
from csceval.project.documents import parse_toml

CODEBOOK_FILE = "interviews/codebook.toml"
GUIDE_FILE = "interviews/topic_guide.toml"
CODE_FIELDS = {
    "id",
    "title",
    "definition",
    "parent",
    "codable",
    "include",
    "exclude",
    "example",
    "toc_node",
}


@dataclass(frozen=True)
class Code:
    """One code of the codebook."""

    id: str
    title: str
    definition: str
    parent: str | None = None
    codable: bool = True
    include: str = ""
    exclude: str = ""
    example: str = ""
    toc_node: str = ""


@dataclass(frozen=True)
class Change:
    """A line of the codebook's change log: the version it made and what changed."""

    version: str
    change: str


@dataclass(frozen=True)
class Codebook:
    """A versioned, hierarchical codebook with its change log."""

    id: str
    version: str
    title: str
    codes: tuple[Code, ...]
    changes: tuple[Change, ...] = ()

    def code(self, code_id: str) -> Code:
        return next(c for c in self.codes if c.id == code_id)

    @property
    def codable(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.codes if c.codable)

    def path(self, code_id: str) -> str:
        """The code's place in the hierarchy, ``Practice with families / Hearing the child``."""
        code = self.code(code_id)
        parent = f"{self.path(code.parent)} / " if code.parent else ""
        return parent + code.title


@dataclass(frozen=True)
class GuideSection:
    id: str
    title: str
    questions: tuple[str, ...]
    toc_nodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TopicGuide:
    """A versioned topic guide."""

    version: str
    title: str
    sections: tuple[GuideSection, ...]

    @property
    def n_questions(self) -> int:
        return sum(len(s.questions) for s in self.sections)


def _load(data: bytes, path: str, code: str) -> dict[str, Any]:
    try:
        return parse_toml(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError([Problem(code, f"not a UTF-8 TOML file ({exc})", file=path)]) from exc


def _text(
    table: dict[str, Any], key: str, where: str, path: str, code: str, required: bool = True
) -> str:
    value = table.get(key, None if required else "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise InputError(
            [
                Problem(
                    code,
                    f"{where}: {key} must be a non-empty string",
                    file=path,
                    column=key,
                    value=repr(value)[:60],
                )
            ]
        )
    return value


def parse_codebook(data: bytes, path: str = CODEBOOK_FILE) -> Codebook:
    """Parse a codebook (CSC-E3612 for its shape, CSC-E3613 for ids and parents)."""
    doc = _load(data, path, "CSC-E3612")
    raw = doc.get("codes")
    if not isinstance(raw, list) or not raw or not all(isinstance(c, dict) for c in raw):
        raise InputError(
            [
                Problem(
                    "CSC-E3612", "codes must be a non-empty array of tables ([[codes]])", file=path
                )
            ]
        )
    codes = []
    for k, entry in enumerate(raw, start=1):
        where = f"code {k}"
        unknown = sorted(set(entry) - CODE_FIELDS)
        if unknown or not isinstance(entry.get("codable", True), bool):
            raise InputError(
                [
                    Problem(
                        "CSC-E3612",
                        f"{where}: unknown field(s) {unknown} or codable is not true/false",
                        file=path,
                    )
                ]
            )
        text = {
            f: _text(entry, f, where, path, "CSC-E3612", f in {"id", "title", "definition"})
            for f in ("id", "title", "definition", "include", "exclude", "example", "toc_node")
        }
        parent = _text(entry, "parent", where, path, "CSC-E3612", False) or None
        codes.append(Code(parent=parent, codable=entry.get("codable", True), **text))
    _check_tree(codes, path)
    head = {f: _text(doc, f, "codebook", path, "CSC-E3612") for f in ("id", "version", "title")}
    return Codebook(codes=tuple(codes), changes=_changes(doc, path), **head)


def _changes(doc: dict[str, Any], path: str) -> tuple[Change, ...]:
    """The ``[[changes]]`` log (version and change, both strings)."""
    raw = doc.get("changes", [])
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        raise InputError(
            [Problem("CSC-E3612", "changes must be an array of tables ([[changes]])", file=path)]
        )
    return tuple(
        Change(
            _text(c, "version", f"change {k}", path, "CSC-E3612"),
            _text(c, "change", f"change {k}", path, "CSC-E3612"),
        )
        for k, c in enumerate(raw, start=1)
    )


def _check_tree(codes: list[Code], path: str) -> None:
    ids = [c.id for c in codes]
    problems = [
        Problem("CSC-E3613", "two codes share this id", file=path, value=i)
        for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    parents = {c.id: c.parent for c in codes}
    for c in codes:
        if c.parent is not None and c.parent not in parents:
            problems.append(
                Problem("CSC-E3613", f"code {c.id!r}: unknown parent", file=path, value=c.parent)
            )
            continue
        seen, at = {c.id}, c.parent
        while at is not None and at in parents:
            if at in seen:
                problems.append(
                    Problem(
                        "CSC-E3613", f"code {c.id!r}: parents form a circle", file=path, value=at
                    )
                )
                break
            seen.add(at)
            at = parents[at]
    if problems:
        raise InputError(problems)


def parse_topic_guide(data: bytes, path: str = GUIDE_FILE) -> TopicGuide:
    """Parse a topic guide (CSC-E3614)."""
    doc = _load(data, path, "CSC-E3614")
    raw = doc.get("sections")
    if not isinstance(raw, list) or not raw or not all(isinstance(s, dict) for s in raw):
        raise InputError(
            [Problem("CSC-E3614", "sections must be a non-empty array of tables", file=path)]
        )
    sections = []
    for k, entry in enumerate(raw, start=1):
        questions, nodes = entry.get("questions"), entry.get("toc_nodes", [])
        lists = (questions, nodes)
        if not questions or not all(
            isinstance(x, list) and all(isinstance(q, str) for q in x) for x in lists
        ):
            raise InputError(
                [
                    Problem(
                        "CSC-E3614",
                        f"section {k}: questions and toc_nodes must be lists of strings",
                        file=path,
                    )
                ]
            )
        sections.append(
            GuideSection(
                _text(entry, "id", f"section {k}", path, "CSC-E3614"),
                _text(entry, "title", f"section {k}", path, "CSC-E3614"),
                tuple(questions),
                tuple(nodes),
            )
        )
    head = {f: _text(doc, f, "topic guide", path, "CSC-E3614") for f in ("version", "title")}
    return TopicGuide(sections=tuple(sections), **head)


def _default(name: str) -> bytes:
    return files("csceval.strands.interviews").joinpath("defaults").joinpath(name).read_bytes()


def default_codebook() -> Codebook:
    """The shipped codebook: a deductive code per theory-of-change box."""
    return parse_codebook(_default("codebook.toml"), "defaults/codebook.toml")


def default_topic_guide() -> TopicGuide:
    """The shipped topic guide, whose sections follow the theory-of-change boxes."""
    return parse_topic_guide(_default("topic_guide.toml"), "defaults/topic_guide.toml")
