"""Who may read each file of a run's output folder: its scope, decided by its path.

Every file a run writes is given one of four scopes, recorded beside its hash in the output's
``manifest.json`` (:mod:`csceval.atomic`); the web platform serves a file only by that record,
so a file without a scope is never served.

- ``published``: disclosure-controlled and about no LA in particular, fit for anyone who may
  read reports (the report's pages, tables that passed :func:`csceval.disclosure.protect`).
- ``one_la``: about one LA (its code is in the path): that LA's members and evaluators.
- ``all_las``: figures that put several LAs side by side (by-site tables, the workbook that
  holds them, provenance): evaluators only (``cross_la.view`` on every site).
- ``row_level``: records below aggregate level (e.g. the costs ledger workbook): evaluators with
  ``export.rowlevel``; every download is audited.

Methodological choices:

- Rules are glob patterns on the path relative to the output folder (``*`` within one folder,
  ``**`` across folders) and ``{la}``, a 3-digit LA code that the file's scope then names.
- When several rules match, the most restrictive scope wins (``row_level`` > ``all_las`` >
  ``one_la`` > ``published``): a strand can narrow who reads a file, never widen it.
- The core rules cover what the report writer produces; a strand declares its extra files and
  any table that compares sites (``Strand.output_scopes``). A path no rule covers has no scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache


class Scope(StrEnum):
    """Who may read a run's file (least restrictive first)."""

    PUBLISHED = "published"
    ONE_LA = "one_la"
    ALL_LAS = "all_las"
    ROW_LEVEL = "row_level"


_RANK = {scope: rank for rank, scope in enumerate(Scope)}

CORE_RULES: Mapping[str, Scope] = {
    "report/**": Scope.PUBLISHED,
    "report.pdf": Scope.PUBLISHED,
    "tables/*.csv": Scope.PUBLISHED,
    "report.xlsx": Scope.ALL_LAS,
    "provenance.json": Scope.ALL_LAS,
}
"""Scopes of the report writer's files. Tables are published because every table passed
disclosure control; tables that compare sites are narrowed by their strands. The workbook holds
every table, so it is as narrow as the narrowest (by-site tables); provenance lists the inputs."""


@dataclass(frozen=True)
class FileScope:
    """A file's scope and, for ``one_la``, the LA it is about."""

    scope: Scope
    la_code: str = ""

    def record(self) -> dict[str, str]:
        """The manifest fields for this scope."""
        return {"scope": str(self.scope), **({"la_code": self.la_code} if self.la_code else {})}

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> FileScope | None:
        """The scope a manifest entry records (None when it has none or an unknown one)."""
        scope, la_code = record.get("scope"), record.get("la_code", "")
        if scope not in set(Scope) or not isinstance(la_code, str):
            return None
        if (scope == Scope.ONE_LA) != bool(re.fullmatch(r"\d{3}", la_code)):
            return None
        return cls(Scope(str(scope)), la_code)


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    """A glob pattern as a regular expression (``**``, ``*``, ``?`` and ``{la}``)."""
    out = []
    for token in re.split(r"(\*\*/?|\*|\?|\{la\})", pattern):
        if token in ("**", "**/"):
            out.append("(?:.*/)?" if token == "**/" else ".*")
        elif token == "*":
            out.append("[^/]*")
        elif token == "?":
            out.append("[^/]")
        elif token == "{la}":
            out.append(r"(?P<la>\d{3})")
        else:
            out.append(re.escape(token))
    return re.compile("".join(out))


def matches(pattern: str, relative: str) -> bool:
    """Whether ``relative`` (a POSIX path in the output folder) matches ``pattern``."""
    return _compile(pattern).fullmatch(relative) is not None


def scope_of(relative: str, rules: Iterable[Mapping[str, Scope]] = ()) -> FileScope | None:
    """The scope of the output file ``relative`` under the core rules and ``rules`` (strands'),
    the most restrictive of those that match; None when no rule covers it."""
    found: FileScope | None = None
    for rule_set in (CORE_RULES, *rules):
        for pattern, scope in rule_set.items():
            hit = _compile(pattern).fullmatch(relative)
            if hit is None:
                continue
            la_code = (hit.groupdict().get("la") or "") if scope == Scope.ONE_LA else ""
            if scope == Scope.ONE_LA and not la_code:
                scope = Scope.ALL_LAS  # an LA file whose path does not name the LA
            if found is None or _RANK[scope] > _RANK[found.scope]:
                found = FileScope(scope, la_code)
    return found
