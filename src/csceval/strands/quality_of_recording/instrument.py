"""Audit instruments: versioned TOML files of sections, items, response scales and scoring rules.

An instrument file holds ``id``, ``version``, ``title``, ``description``; ``[[scales]]`` (``kind``
``ordinal`` with ``[[scales.anchors]]`` of ``value``/``label``/``meaning`` in increasing value,
``yes_no`` or ``free_text``; ``allow_na`` lets the auditor answer "not applicable");
``[[sections]]`` each with ``id``, ``title``, ``guidance``, ``weight`` (0 = not scored) and
``[[sections.items]]`` (``id``, ``scale``, ``text``, ``guidance``); and ``[scoring]``.

Scoring (:mod:`scoring`): an ordinal answer scores ``100 * (value - lowest) / (highest -
lowest)``, ``yes`` 100 and ``no`` 0; free text is not scored and "not applicable" (``na``) is left
out, not counted as zero. A section (domain) score is the mean of its scored items, given when at
least ``scoring.min_answered`` (a share) of them were answered; the overall score is the
weighted mean of the section scores, given when at least ``scoring.min_sections`` (a share of
the total weight) of them have a score.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from csceval.errors import InputError, Problem
from csceval.project.documents import parse_toml

NA = "na"
YES, NO = "yes", "no"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Anchor(_Strict):
    value: int
    label: str = Field(min_length=1)
    meaning: str = ""


class Scale(_Strict):
    id: str = Field(min_length=1)
    kind: Literal["ordinal", "yes_no", "free_text"]
    allow_na: bool = False
    anchors: tuple[Anchor, ...] = ()

    @property
    def scored(self) -> bool:
        return self.kind != "free_text"

    def allowed(self) -> tuple[str, ...]:
        """The answers an auditor may record, as text."""
        base: tuple[str, ...] = ()
        if self.kind == "ordinal":
            base = tuple(str(a.value) for a in self.anchors)
        elif self.kind == "yes_no":
            base = (YES, NO)
        return base + ((NA,) if self.allow_na else ())

    def score(self, answer: str) -> float | None:
        """0-100, or None for not applicable, free text or an answer off the scale."""
        text = answer.strip().lower()
        if self.kind == "yes_no":
            return {YES: 100.0, NO: 0.0}.get(text)
        if self.kind == "ordinal" and text in self.allowed() and text != NA:
            values = [a.value for a in self.anchors]
            return 100.0 * (int(text) - min(values)) / (max(values) - min(values))
        return None

    def numeric(self, answer: str) -> float | None:
        """The answer as a number for reliability (ordinal value; yes 1, no 0), else None."""
        text = answer.strip().lower()
        if self.kind == "yes_no":
            return {YES: 1.0, NO: 0.0}.get(text)
        if self.kind == "ordinal" and text in self.allowed() and text != NA:
            return float(text)
        return None


class Item(_Strict):
    id: str = Field(min_length=1)
    scale: str
    text: str = Field(min_length=1)
    guidance: str = ""


class AuditSection(_Strict):
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    guidance: str = ""
    weight: float = Field(default=1.0, ge=0)
    items: tuple[Item, ...] = Field(min_length=1)


class Scoring(_Strict):
    min_answered: float = Field(default=0.5, gt=0, le=1)
    min_sections: float = Field(default=0.5, gt=0, le=1)


class Instrument(_Strict):
    """A validated audit instrument."""

    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    scales: tuple[Scale, ...] = Field(min_length=1)
    sections: tuple[AuditSection, ...] = Field(min_length=1)
    scoring: Scoring = Scoring()

    def scale(self, scale_id: str) -> Scale:
        return next(s for s in self.scales if s.id == scale_id)

    def items(self) -> Iterator[tuple[AuditSection, Item, Scale]]:
        for section in self.sections:
            for item in section.items:
                yield section, item, self.scale(item.scale)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for _, i, _ in self.items())

    def item(self, item_id: str) -> tuple[AuditSection, Item, Scale]:
        return next(t for t in self.items() if t[1].id == item_id)


def _dupes(ids: list[str]) -> list[str]:
    return sorted({i for i in ids if ids.count(i) > 1})


def _rules(ins: Instrument, file: str) -> Iterator[Problem]:
    for kind, ids in (
        ("scale", [s.id for s in ins.scales]),
        ("section", [s.id for s in ins.sections]),
        ("item", [i.id for s in ins.sections for i in s.items]),
    ):
        for d in _dupes(ids):
            yield Problem("CSC-E3223", f"two {kind}s share the id", file=file, column=kind, value=d)
    for scale in ins.scales:
        values = [a.value for a in scale.anchors]
        if scale.kind == "ordinal" and (len(values) < 2 or values != sorted(set(values))):
            yield Problem(
                "CSC-E3224",
                "an ordinal scale needs two or more anchors with increasing values",
                file=file,
                column=f"scales.{scale.id}.anchors",
                value=str(values),
            )
        if scale.kind != "ordinal" and values:
            yield Problem(
                "CSC-E3224",
                f"a {scale.kind} scale has no anchors",
                file=file,
                column=f"scales.{scale.id}.anchors",
            )
    known = {s.id: s for s in ins.scales}
    for section in ins.sections:
        for item in section.items:
            if item.scale not in known:
                yield Problem(
                    "CSC-E3225",
                    "the item names an unknown scale",
                    file=file,
                    column=f"sections.{section.id}.items.{item.id}.scale",
                    value=item.scale,
                    fix=f"use one of {sorted(known)}",
                )
        scored = [i for i in section.items if i.scale in known and known[i.scale].scored]
        if section.weight > 0 and not scored:
            yield Problem(
                "CSC-E3225",
                "a section with a scoring weight has no scored item",
                file=file,
                column=f"sections.{section.id}.weight",
                value=str(section.weight),
                fix="set weight = 0 for a section of free-text items",
            )
    if not any(s.weight > 0 for s in ins.sections):
        yield Problem("CSC-E3225", "no section carries a scoring weight", file=file)


def parse_instrument(text: str, file: str) -> Instrument:
    """Parse and validate an instrument's TOML text (raises InputError with coded problems)."""
    try:
        data: dict[str, Any] = parse_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem("CSC-E3221", f"not valid TOML: {exc}", file=file)]) from None
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            [
                Problem(
                    "CSC-E3222",
                    error["msg"],
                    file=file,
                    column=".".join(str(p) for p in error["loc"]),
                )
                for error in exc.errors()
            ]
        ) from None
    problems = list(_rules(instrument, file))
    if problems:
        raise InputError(problems)
    return instrument


def load_instrument(path: Path) -> Instrument:
    """Parse an instrument file."""
    return parse_instrument(Path(path).read_text(encoding="utf-8"), str(path))


def builtin_instruments() -> dict[tuple[str, str], Instrument]:
    """The instruments shipped with csceval, by (id, version)."""
    folder = resources.files("csceval.strands.quality_of_recording") / "instruments"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            ins = parse_instrument(entry.read_text(encoding="utf-8"), entry.name)
            found[(ins.id, ins.version)] = ins
    return found


DEFAULT_ID = "assessment-and-planning"


def default_instrument() -> Instrument:
    """The default instrument for the quality of assessments and care plans (latest version)."""
    versions = [ins for (i, _), ins in builtin_instruments().items() if i == DEFAULT_ID]
    return max(versions, key=lambda ins: tuple(int(p) for p in ins.version.split(".")))
