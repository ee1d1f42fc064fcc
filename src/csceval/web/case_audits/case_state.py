"""Where a sampled case's audit stands: its ratings, disagreements and status for the task list.

A case is not started until its first rating exists, in progress until that rating (and the
blind second rating, when the case is flagged for one) is completed, and then needs
reconciliation while any scored item the two ratings answered differently has no agreed answer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from csceval.strands.quality_of_recording.instrument import Instrument, builtin_instruments
from csceval.web.case_audits.models import CaseRating, CaseSample, SampledCase

NOT_STARTED, IN_PROGRESS, COMPLETED, RECONCILE = (
    "Not started",
    "In progress",
    "Completed",
    "Needs reconciliation",
)


@functools.cache
def _instruments() -> dict[tuple[str, str], Instrument]:
    return builtin_instruments()  # shipped files: read once per process


def instrument_of(sample: CaseSample) -> Instrument:
    """The instrument (id and version) the sample is audited with."""
    return _instruments()[(sample.instrument, sample.instrument_version)]


@dataclass(frozen=True)
class CaseState:
    """Where a case's audit stands, for the task list."""

    status: str
    first: CaseRating | None
    second: CaseRating | None
    open_items: int
    """Disagreed items not yet reconciled (0 until both ratings are completed)."""


def _ratings(case: SampledCase) -> tuple[CaseRating | None, CaseRating | None]:
    by_kind = {r.kind: r for r in case.ratings.all()}
    return by_kind.get("first"), by_kind.get("second")


def disagreements(case: SampledCase) -> list[tuple[str, str, str, str]]:
    """(item, first answer, second answer, agreed answer or '') where the two completed differ."""
    first, second = _ratings(case)
    if first is None or second is None or not (first.completed and second.completed):
        return []
    a, b = first.values(), second.values()
    agreed = {r.item: r.value for r in case.reconciled.all()}
    items = instrument_of(case.sample).items()
    return [
        (item.id, a.get(item.id, ""), b.get(item.id, ""), agreed.get(item.id, ""))
        for _, item, scale in items
        if scale.scored and a.get(item.id, "") != b.get(item.id, "")
    ]


def state(case: SampledCase) -> CaseState:
    first, second = _ratings(case)
    if first is None:
        return CaseState(NOT_STARTED, None, None, 0)
    if not first.completed or (case.second_rating and not (second and second.completed)):
        return CaseState(IN_PROGRESS, first, second, 0)
    open_items = sum(1 for *_, agreed in disagreements(case) if not agreed)
    return CaseState(RECONCILE if open_items else COMPLETED, first, second, open_items)


def slot(case: SampledCase, user: Any) -> tuple[CaseRating | None, str | None]:
    """The user's rating of the case and its kind; else the kind they may start (or None)."""
    first, second = _ratings(case)
    for rating in (first, second):
        if rating is not None and rating.rater_id == user.pk:
            return rating, rating.kind
    if first is None:
        return None, "first"
    if case.second_rating and second is None:
        return None, "second"
    return None, None
