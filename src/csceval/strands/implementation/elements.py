"""Implementation elements, the self-profiling scale and the checks on plans and self-profiles.

The elements (leadership and governance, training and learning, practice leads, ...) and the
anchor descriptions of the 0-10 self-profiling scale are data (``defaults/elements.toml``). A
pilot's plan is a set of milestones per element (``data/implementation_milestones.csv``); its
self-profiles rate every element at each fieldwork time point (``data/self_profiles.csv``).

The web platform calls :func:`validate_self_profile_rows` on what a coordinator enters, and
:func:`elements` / :func:`anchor_for` to show the scale, so a self-profile is checked by the
same rules whether typed in a browser or imported from a file.

Self-profile status: ``draft`` (saved by the coordinator), ``submitted`` (awaiting review),
``reviewed`` (accepted by the evaluator). An empty status means the evaluator imported the row
and counts as reviewed. Only reviewed rows enter the analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from numbers import Integral, Real
from typing import TYPE_CHECKING

import pandas as pd

from csceval.errors import Problem
from csceval.project.documents import parse_toml

if TYPE_CHECKING:  # csceval.project imports this module for its checks
    from csceval.project.settings import EvaluationSettings

MILESTONES_FILE = "data/implementation_milestones.csv"
PROFILES_FILE = "data/self_profiles.csv"
MILESTONE_STATUSES = ("planned", "in_progress", "achieved", "dropped")
PROFILE_STATUSES = ("draft", "submitted", "reviewed")
ANALYSED_STATUSES = frozenset({"", "reviewed"})
RATING_MIN, RATING_MAX = 0, 10


@dataclass(frozen=True, slots=True)
class Band:
    """A band of the 0-10 scale with its own anchor description per element."""

    id: str
    low: int
    high: int
    title: str


@dataclass(frozen=True, slots=True)
class Element:
    """An implementation element and its anchors (band id -> description)."""

    id: str
    title: str
    description: str
    anchors: Mapping[str, str]


@cache
def _data() -> tuple[tuple[Band, ...], tuple[Element, ...]]:
    raw = parse_toml(
        (files("csceval.strands.implementation") / "defaults" / "elements.toml").read_text()
    )
    bands = tuple(Band(b["id"], b["low"], b["high"], b["title"]) for b in raw["bands"])
    covered = [v for b in bands for v in range(b.low, b.high + 1)]
    if covered != list(range(RATING_MIN, RATING_MAX + 1)):
        raise ValueError("elements.toml: bands must cover 0-10 once, in order")
    out = []
    for e in raw["elements"]:
        if set(e["anchors"]) != {b.id for b in bands}:
            raise ValueError(f"elements.toml: element {e['id']!r} needs one anchor per band")
        out.append(Element(e["id"], e["title"], e["description"], dict(e["anchors"])))
    return bands, tuple(out)


def bands() -> tuple[Band, ...]:
    """The bands of the self-profiling scale, lowest first."""
    return _data()[0]


def elements() -> tuple[Element, ...]:
    """The implementation elements, in the order reports show them."""
    return _data()[1]


def element_ids() -> tuple[str, ...]:
    return tuple(e.id for e in elements())


def element(element_id: str) -> Element:
    """The element with this id (KeyError if unknown)."""
    for e in elements():
        if e.id == element_id:
            return e
    raise KeyError(element_id)


def band_of(rating: int) -> Band:
    """The band a 0-10 rating falls in."""
    return next(b for b in bands() if b.low <= rating <= b.high)


def anchor_for(element_id: str, rating: int) -> str:
    """The anchor description of an element at a rating."""
    return element(element_id).anchors[band_of(rating).id]


def _blank(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and value != value)
        or (isinstance(value, str) and not value.strip())
    )


def _rating(value: object) -> int | None:
    """A whole-number rating, or None when the value is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real) and float(value).is_integer():
        return int(float(value))
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def validate_self_profile_rows(
    rows: Iterable[Mapping[str, object]],
    *,
    time_points: Sequence[str] | None = None,
    pilots: Iterable[str] | None = None,
    file: str = PROFILES_FILE,
    first_row: int = 2,
) -> list[Problem]:
    """Every problem in self-profile rows (keys: la_code, time_point, element, rating, and
    optionally status and evidence).

    ``time_points`` and ``pilots`` (LA codes), when given, restrict the values allowed; rows are
    numbered from ``first_row`` (2 = the first data row of a CSV file under its header).
    """
    known_elements = set(element_ids())
    known_pilots = None if pilots is None else set(pilots)
    seen: dict[tuple[str, str, str], int] = {}
    problems: list[Problem] = []
    for offset, row in enumerate(rows):
        number = first_row + offset

        def problem(
            code: str, message: str, column: str, value: object, fix: str = "", number: int = number
        ) -> None:
            shown = "" if _blank(value) else str(value)
            problems.append(
                Problem(code, message, file=file, row=number, column=column, value=shown, fix=fix)
            )

        status = row.get("status")
        draft = not _blank(status) and str(status).strip() == "draft"
        needed = ("la_code", "time_point", "element") + (() if draft else ("rating",))
        missing = [c for c in needed if _blank(row.get(c))]
        for column in missing:
            problem("CSC-E3155", "a value is required", column, "")
        la, tp, el = (str(row.get(c, "")).strip() for c in ("la_code", "time_point", "element"))
        if "element" not in missing and el not in known_elements:
            problem(
                "CSC-E3151",
                "unknown implementation element",
                "element",
                el,
                f"use one of: {', '.join(element_ids())}",
            )
        if "time_point" not in missing and time_points is not None and tp not in time_points:
            problem(
                "CSC-E3152",
                "time point is not one of the evaluation's time points",
                "time_point",
                tp,
                f"use one of: {', '.join(time_points) or '(none: add periods.time_points)'}",
            )
        if "la_code" not in missing and known_pilots is not None and la not in known_pilots:
            problem(
                "CSC-E3153",
                "the LA is not a pilot site of this evaluation",
                "la_code",
                la,
                "self-profiles are completed by pilot LAs only",
            )
        if not _blank(row.get("rating")):
            rating = _rating(row.get("rating"))
            if rating is None or not RATING_MIN <= rating <= RATING_MAX:
                problem(
                    "CSC-E3150",
                    "the rating must be a whole number from 0 to 10",
                    "rating",
                    row.get("rating"),
                    "rate each element from 0 (not started) to 10 (fully embedded)",
                )
        if not _blank(status) and str(status) not in PROFILE_STATUSES:
            problem(
                "CSC-E3155",
                "unknown status",
                "status",
                status,
                f"use one of: {', '.join(PROFILE_STATUSES)}, or leave it empty",
            )
        if not [c for c in ("la_code", "time_point", "element") if c in missing]:
            key = (la, tp, el)
            if key in seen:
                problem(
                    "CSC-E3155",
                    f"this pilot already rated this element at this time point in row {seen[key]}",
                    "element",
                    el,
                    "keep one rating per element",
                )
            seen.setdefault(key, number)
    return problems


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [dict(zip(frame.columns, values, strict=True)) for values in frame.itertuples(False)]


def check_self_profiles(settings: EvaluationSettings, frame: pd.DataFrame) -> list[Problem]:
    """The rules on ``data/self_profiles.csv`` against ``evaluation.toml``."""
    pilots = [s.la_code for s in settings.sites_with_role("pilot", "exited")]
    time_points = [tp.id for tp in settings.periods.time_points]
    return validate_self_profile_rows(_records(frame), time_points=time_points, pilots=pilots)


def check_milestones(settings: EvaluationSettings, frame: pd.DataFrame) -> list[Problem]:
    """The rules on ``data/implementation_milestones.csv`` against ``evaluation.toml``."""
    pilots = {s.la_code for s in settings.sites_with_role("pilot", "exited")}
    known = set(element_ids())
    problems: list[Problem] = []
    for offset, row in enumerate(_records(frame)):

        def problem(
            code: str, message: str, column: str, value: object, fix: str, offset: int = offset
        ) -> None:
            problems.append(
                Problem(
                    code,
                    message,
                    file=MILESTONES_FILE,
                    row=offset + 2,
                    column=column,
                    value=str(value),
                    fix=fix,
                )
            )

        if row["element"] not in known:
            problem(
                "CSC-E3151",
                "milestone for an unknown implementation element",
                "element",
                row["element"],
                f"use one of: {', '.join(element_ids())}",
            )
        if row["la_code"] not in pilots:
            problem(
                "CSC-E3153",
                "the LA is not a pilot site of this evaluation",
                "la_code",
                row["la_code"],
                "plans are recorded for pilot LAs only",
            )
        achieved = not _blank(row["achieved"])
        if row["status"] == "achieved" and not achieved:
            problem(
                "CSC-E3154",
                "status is achieved but no achieved date is given",
                "achieved",
                "",
                "add the date it was achieved (YYYY-MM-DD)",
            )
        elif achieved and row["status"] != "achieved":
            problem(
                "CSC-E3154",
                f"an achieved date is given but the status is {row['status']}",
                "status",
                row["status"],
                "set status = achieved, or remove the date",
            )
    return problems
