"""Codebook versions: merge and split codes, carrying their codings, with a change log.

Every edit returns a new :class:`~csceval.strands.interviews.codebook.Codebook` whose version is
one step on (``1.0`` -> ``1.1``) and whose change log (``[[changes]]`` in the TOML file) gains a
line saying what changed, together with the codings (rows of ``data/interview_codings.csv``) and
memos (rows of ``data/interview_memos.csv``) moved with it. Nothing is lost by an edit:

- **merge** moves every coding of the merged codes onto the surviving code (a segment coded
  with two merged codes by the same coder and pass becomes one coding), re-parents their
  children and re-targets their memos;
- **split** adds new codes and moves to each the codings its rule selects, by ``coding_id`` or
  by segment key (:func:`segment_key`); codings no rule selects stay on the old code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from csceval.errors import InputError, Problem
from csceval.strands.interviews.codebook import CODEBOOK_FILE, Change, Code, Codebook
from csceval.strands.interviews.segments import blank

CODING_KEY = ["transcript_id", "first_turn", "last_turn", "code", "coder", "pass"]


@dataclass(frozen=True)
class Edited:
    """A codebook edit's result: the new codebook, codings and memos."""

    codebook: Codebook
    codings: pd.DataFrame
    memos: pd.DataFrame | None = None


@dataclass(frozen=True)
class SplitRule:
    """Which codings go to ``code``: those whose coding_id or segment key is listed."""

    code: Code
    segments: tuple[str, ...] = field(default=())


def next_version(version: str) -> str:
    """``1.0`` -> ``1.1``, ``2`` -> ``3``; anything else gains ``.1``."""
    match = re.fullmatch(r"(.*?)(\d+)", version)
    return f"{match.group(1)}{int(match.group(2)) + 1}" if match else f"{version}.1"


def segment_key(row: Mapping[str, object]) -> str:
    """A coding's id, or ``transcript:first-last[:start-end]:coder:pass`` when it has none."""
    cid = row.get("coding_id")
    if isinstance(cid, str) and cid:
        return cid

    def part(name: str) -> str:
        value = row.get(name)
        return "" if blank(value) else str(int(str(value)))

    span = f"{part('start_char')}-{part('end_char')}"
    span = "" if span == "-" else f":{span}"
    return (
        f"{row['transcript_id']}:{row['first_turn']}-{row['last_turn']}{span}:"
        f"{row['coder']}:{row['pass']}"
    )


def _bad(message: str, value: str, fix: str) -> InputError:
    return InputError([Problem("CSC-E3615", message, file=CODEBOOK_FILE, value=value, fix=fix)])


def _logged(codebook: Codebook, codes: Iterable[Code], what: str) -> Codebook:
    version = next_version(codebook.version)
    return replace(
        codebook,
        version=version,
        codes=tuple(codes),
        changes=(*codebook.changes, Change(version, what)),
    )


def merge(
    codebook: Codebook,
    codings: pd.DataFrame,
    sources: Iterable[str],
    into: str,
    memos: pd.DataFrame | None = None,
) -> Edited:
    """Merge ``sources`` into the code ``into`` (CSC-E3615 for unknown codes)."""
    merged = [s for s in dict.fromkeys(sources) if s != into]
    known = {c.id for c in codebook.codes}
    unknown = [c for c in [*merged, into] if c not in known]
    if unknown or not merged:
        raise _bad(
            "merge needs known codes, and at least one besides the one merged into",
            ", ".join(unknown) or into,
            "name codes of the codebook",
        )
    gone = set(merged)
    codes = [
        replace(c, parent=into if c.parent in gone else c.parent)
        for c in codebook.codes
        if c.id not in gone
    ]
    moved = codings.assign(code=codings["code"].where(~codings["code"].isin(gone), into))
    span = [c for c in ("start_char", "end_char") if c in moved]
    moved = moved.drop_duplicates(subset=[*CODING_KEY, *span]).reset_index(drop=True)
    if memos is not None:
        on_code = (memos["target_kind"] == "code") & memos["target_id"].isin(gone)
        memos = memos.assign(target_id=memos["target_id"].where(~on_code, into))
    what = f"merged {', '.join(merged)} into {into}"
    return Edited(_logged(codebook, codes, what), moved, memos)


def split(
    codebook: Codebook, codings: pd.DataFrame, code: str, rules: Iterable[SplitRule]
) -> Edited:
    """Split ``code``: add each rule's new code and move the codings it selects to it."""
    rules = list(rules)
    known = {c.id for c in codebook.codes}
    new = [r.code.id for r in rules]
    clash = [c for c in new if c in known or new.count(c) > 1]
    if code not in known or clash or not rules:
        raise _bad(
            "split needs a known code and new code ids not yet in the codebook",
            ", ".join(clash) or code,
            "choose new ids",
        )
    keys = [segment_key({str(k): v for k, v in r.items()}) for r in codings.to_dict("records")]
    target = pd.Series(codings["code"].to_numpy(copy=True), index=codings.index, dtype=object)
    for rule in rules:
        wanted = set(rule.segments)
        picked = pd.Series([k in wanted for k in keys], index=codings.index, dtype=bool)
        target[picked & (codings["code"] == code)] = rule.code.id
    moved = codings.assign(code=target)
    codes = [*codebook.codes, *(r.code for r in rules)]
    what = f"split {code} into {', '.join([code, *new])}"
    return Edited(_logged(codebook, codes, what), moved.reset_index(drop=True))


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def codebook_to_toml(codebook: Codebook) -> str:
    """The codebook as ``interviews/codebook.toml`` (every field, and the change log)."""
    lines = [
        "format_version = 1",
        f"id = {_string(codebook.id)}",
        f"version = {_string(codebook.version)}",
        f"title = {_string(codebook.title)}",
    ]
    for c in codebook.codes:
        lines += ["", "[[codes]]", f"id = {_string(c.id)}"]
        lines += [f"parent = {_string(c.parent)}"] if c.parent else []
        lines += [f"codable = {'true' if c.codable else 'false'}"]
        for name in ("title", "definition", "include", "exclude", "example", "toc_node"):
            value = getattr(c, name)
            lines += [f"{name} = {_string(value)}"] if value else []
    for change in codebook.changes:
        lines += ["", "[[changes]]", f"version = {_string(change.version)}"]
        lines += [f"change = {_string(change.change)}"]
    return "\n".join(lines) + "\n"
