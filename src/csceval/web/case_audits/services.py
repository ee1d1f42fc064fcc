"""Drawing samples, saving ratings and reconciling; every change audited in its transaction.

The case list and the key live only in this module's function arguments: :func:`draw` parses and
pseudonymises in memory (:mod:`csceval.case_audit`) and stores the pseudonymised sample, or
nothing at all when the core refuses the list.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from csceval.case_audit.case_list import parse
from csceval.case_audit.instrument import Instrument, builtin_instruments, default_instrument
from csceval.case_audit.pseudonyms import PseudonymKey
from csceval.case_audit.sampling import SAMPLE_COLUMNS, draw_sample, replace_case
from csceval.case_audit.sampling import CaseSample as DrawnSample
from csceval.errors import InputError, Problem
from csceval.project.tables import CASE_AUDITS, CASE_SAMPLES
from csceval.web.audit_trail.services import audit_record
from csceval.web.case_audits.models import (
    CaseAnswer,
    CaseRating,
    CaseSample,
    ReconciledAnswer,
    SampledCase,
)
from csceval.web.evaluation.models import Site
from csceval.web.evaluation.project_io import merge_csv_rows
from csceval.web.implementation.services import time_points
from csceval.web.permissions import Verb, has_verb

__all__ = ["time_points"]

NOT_STARTED, IN_PROGRESS, COMPLETED, RECONCILE = (
    "Not started",
    "In progress",
    "Completed",
    "Needs reconciliation",
)


def _actor(user: Any) -> str:
    return str(user.get_username())


def rater_id(user: Any) -> str:
    """The pseudonymous rater id exported with ratings (never a name)."""
    return f"auditor-{user.pk}"


def second_rating_flags(pseudonyms: list[str], seed: int, share: int) -> set[str]:
    """Which sampled cases get a blind second rating: ``ceil(share% * n)`` of them, reproducibly.

    The pseudonyms are sorted, permuted by ``numpy.random.default_rng([seed, 2])`` and the first
    ones taken, so the same sample and seed always flag the same cases.
    """
    ordered = sorted(pseudonyms)
    take = math.ceil(len(ordered) * share / 100)
    order = np.random.default_rng([seed, 2]).permutation(len(ordered))
    return {ordered[i] for i in order[:take]}


def _sample_values(sample: CaseSample) -> dict[str, Any]:
    return {
        "seed": sample.seed,
        "case_list_sha256": sample.case_list_sha256,
        "n_requested": sample.n_requested,
        "allocation": sample.allocation,
        "second_share": sample.second_share,
        "instrument": f"{sample.instrument} {sample.instrument_version}",
        "cases": sample.cases.count(),
    }


def draw(
    *,
    actor: Any,
    site: Site,
    time_point: str,
    file_name: str,
    content: bytes,
    key: str,
    n: int,
    allocation: str,
    second_share: int,
    seed: int,
) -> CaseSample:
    """Check the list, draw the sample and store it (pseudonyms only); raise InputError if not.

    A sample whose cases are being rated cannot be redrawn (CSC-E6201); one not yet started is
    replaced, and the audit trail keeps how the old one was drawn.
    """
    checked_key = PseudonymKey(key)  # CSC-E3201 for a weak key; never echoed
    case_list = parse(site.la_code, file_name, content)  # refuses identifiers whole
    drawn = draw_sample(case_list, checked_key, seed=seed, n=n, allocation=allocation)
    del case_list, checked_key
    instrument = default_instrument()
    rows = drawn.rows
    in_play = rows.loc[rows["status"].isin(["sampled", "used"]), "pseudonym"].tolist()
    flagged = second_rating_flags(in_play, seed, second_share)
    with transaction.atomic():
        old = CaseSample.objects.filter(site=site, time_point=time_point).first()
        old_values = None
        if old is not None:
            if CaseRating.objects.filter(case__sample=old).exists():
                raise InputError(
                    [
                        Problem(
                            "CSC-E6201",
                            "this sample is already being audited, so it cannot be drawn again",
                            column="time_point",
                            value=time_point,
                            fix="choose another time point, or finish auditing this sample",
                        )
                    ]
                )
            old_values = _sample_values(old)
            old.delete()
        sample = CaseSample.objects.create(
            site=site,
            time_point=time_point,
            seed=seed,
            case_list_sha256=drawn.list_sha256,
            n_requested=n,
            allocation=allocation,
            second_share=second_share,
            instrument=instrument.id,
            instrument_version=instrument.version,
            drawn_by=actor,
        )
        SampledCase.objects.bulk_create(
            SampledCase(
                sample=sample,
                pseudonym=str(r["pseudonym"]),
                stratum=str(r["stratum"]),
                drawn_rank=int(r["drawn_rank"]),
                status=str(r["status"]),
                replaced_by=str(r["replaced_by"]),
                replaces=str(r["replaces"]),
                reason=str(r["reason"]),
                second_rating=r["pseudonym"] in flagged,
            )
            for r in rows.to_dict("records")
        )
        audit_record(
            actor=_actor(actor),
            action="case_sample.draw",
            object_type="case_sample",
            object_id=f"{site.la_code}/{time_point}",
            old_values=old_values,
            new_values=_sample_values(sample),
        )
    return sample


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


def _refuse(code: str, message: str, fix: str = "") -> InputError:
    return InputError([Problem(code, message, fix=fix)])


@transaction.atomic
def save_rating(
    *, actor: Any, case: SampledCase, answers: dict[str, str], complete: bool
) -> CaseRating:
    """Save the actor's answers (save and come back later) and, with ``complete``, complete it."""
    case = SampledCase.objects.select_for_update().get(pk=case.pk)
    rating, kind = slot(case, actor)
    if kind is None:
        raise _refuse(
            "CSC-E6202",
            "this case already has its raters; a second rater must be another auditor",
        )
    if rating is not None and rating.completed:
        raise _refuse("CSC-E6203", "a completed rating cannot be changed")
    if rating is None:
        rating = CaseRating.objects.create(case=case, kind=kind, rater=actor)
    old = rating.values()
    rating.answers.exclude(item__in=list(answers)).delete()
    for item, value in answers.items():
        CaseAnswer.objects.update_or_create(rating=rating, item=item, defaults={"value": value})
    if complete:
        rating.completed_at = timezone.now()
    rating.save()
    audit_record(
        actor=_actor(actor),
        action="case_audit.complete" if complete else "case_audit.save",
        object_type="case_rating",
        object_id=f"{case.la_code}/{case.sample.time_point}/{case.pseudonym}/{kind}",
        old_values=old,
        new_values=answers,
    )
    return rating


@transaction.atomic
def replace(*, actor: Any, case: SampledCase, reason: str) -> SampledCase:
    """Replace a case that cannot be audited by its stratum's next reserve case (core rule).

    Only a case nobody has started rating can be replaced (CSC-E6206); the reserve case takes
    over its second-rating flag, so the share rated twice is unchanged.
    """
    sample = CaseSample.objects.select_for_update().get(pk=case.sample_id)
    if CaseRating.objects.filter(case=case).exists():
        raise _refuse(
            "CSC-E6206",
            "a case that is being rated cannot be replaced",
            "finish the rating, or mark the items 'not applicable'",
        )
    cases = {c.pseudonym: c for c in sample.cases.all()}
    rows = pd.DataFrame(
        [{k: getattr(c, k) for k in SAMPLE_COLUMNS if k != "la_code"} for c in cases.values()]
    ).assign(la_code=case.la_code)
    drawn = DrawnSample(
        case.la_code, sample.seed, sample.case_list_sha256, sample.n_requested,
        sample.allocation, rows[list(SAMPLE_COLUMNS)],
    )  # fmt: skip
    after = replace_case(drawn, case.pseudonym, reason).rows.set_index("pseudonym")
    new_case = cases[str(after.at[case.pseudonym, "replaced_by"])]
    for changed in (cases[case.pseudonym], new_case):
        for field in ("status", "replaced_by", "replaces", "reason"):
            setattr(changed, field, str(after.at[changed.pseudonym, field]))
    new_case.second_rating = cases[case.pseudonym].second_rating
    cases[case.pseudonym].second_rating = False
    for changed in (cases[case.pseudonym], new_case):
        changed.save()
    audit_record(
        actor=_actor(actor),
        action="case_sample.replace",
        object_type="sampled_case",
        object_id=f"{case.la_code}/{sample.time_point}/{case.pseudonym}",
        old_values={"status": "sampled"},
        new_values={"status": "replaced", "reason": reason, "replaced_by": new_case.pseudonym},
    )
    return new_case


@transaction.atomic
def record_view(*, actor: Any, case: SampledCase, page: str) -> None:
    """Audit one view of a case record (SEC-D1)."""
    audit_record(
        actor=_actor(actor),
        action="case.view",
        object_type="sampled_case",
        object_id=f"{case.la_code}/{case.sample.time_point}/{case.pseudonym}",
        new_values={"page": page},
    )


@transaction.atomic
def reconcile(*, actor: Any, case: SampledCase, agreed: dict[str, str]) -> list[str]:
    """Record the agreed answer of disagreed items; returns the items changed."""
    case = SampledCase.objects.select_for_update().get(pk=case.pk)
    open_items = {item for item, *_ in disagreements(case)}
    if not open_items:
        raise _refuse(
            "CSC-E6205",
            "there is nothing to reconcile: both ratings must be completed and differ",
        )
    instrument = instrument_of(case.sample)
    problems = []
    for item, value in agreed.items():
        if item not in open_items or value not in instrument.item(item)[2].allowed():
            problems.append(
                Problem("CSC-E6204", "the agreed answer is not one of the item's answers",
                        column=item, value=value)
            )  # fmt: skip
    if problems:
        raise InputError(problems)
    current = {r.item: r for r in case.reconciled.all()}
    old = {i: current[i].value for i in agreed if i in current}
    changed = [i for i, v in agreed.items() if i not in current or current[i].value != v]
    for item in changed:
        ReconciledAnswer.objects.update_or_create(
            case=case, item=item, defaults={"value": agreed[item], "agreed_by": actor}
        )
    if changed:
        audit_record(
            actor=_actor(actor),
            action="case_audit.reconcile",
            object_type="sampled_case",
            object_id=f"{case.la_code}/{case.sample.time_point}/{case.pseudonym}",
            old_values={i: old[i] for i in changed if i in old},
            new_values={i: agreed[i] for i in changed},
        )
    return changed


def exported_samples(imported: bytes | None) -> bytes | None:
    """data/case_samples.csv: imported rows plus every sample drawn in the platform."""
    rows = [
        {
            "la_code": c.sample.site.la_code,
            "time_point": c.sample.time_point,
            "pseudonym": c.pseudonym,
            "stratum": c.stratum,
            "drawn_rank": str(c.drawn_rank),
            "status": c.status,
            "replaced_by": c.replaced_by,
            "replaces": c.replaces,
            "reason": c.reason,
            "seed": str(c.sample.seed),
            "case_list_sha256": c.sample.case_list_sha256,
        }
        for c in SampledCase.objects.select_related("sample__site").order_by(
            "sample__site__la_code", "sample__time_point", "stratum", "drawn_rank"
        )
    ]
    return merge_csv_rows(imported, CASE_SAMPLES.column_names, CASE_SAMPLES.key, rows)


def exported_audits(imported: bytes | None) -> bytes | None:
    """data/case_audits.csv: imported rows plus completed ratings and reconciled answers."""
    rows = []
    for a in CaseAnswer.objects.select_related("rating__case__sample__site").filter(
        rating__completed_at__isnull=False
    ):
        case = a.rating.case
        rows.append(
            _audit_row(case, rater_id(a.rating.rater), a.item, a.value, a.rating.kind, False)
        )
    for r in ReconciledAnswer.objects.select_related("case__sample__site", "agreed_by"):
        rows.append(_audit_row(r.case, rater_id(r.agreed_by), r.item, r.value, "first", True))
    rows.sort(key=lambda r: tuple(r[k] for k in CASE_AUDITS.key))
    return merge_csv_rows(imported, CASE_AUDITS.column_names, CASE_AUDITS.key, rows)


def _audit_row(
    case: SampledCase, rater: str, item: str, value: str, kind: str, reconciled: bool
) -> dict[str, str]:
    return {
        "la_code": case.sample.site.la_code,
        "pseudonym": case.pseudonym,
        "time_point": case.sample.time_point,
        "rater_id": rater,
        "instrument": case.sample.instrument,
        "instrument_version": case.sample.instrument_version,
        "item": item,
        "value": value,
        "is_second_rating": "true" if kind == "second" else "false",
        "reconciled": "true" if reconciled else "false",
    }


def site_links(request: Any, site: Site) -> list[dict[str, str]]:
    """Links on a site's page: its case-audit task lists, and drawing a sample."""
    links = []
    if has_verb(request.user, Verb.CASE_VIEW, site.la_code):
        links += [
            {
                "text": f"Case-file audits at {s.time_point}",
                "href": reverse("case_audits:tasks", args=[site.la_code, s.time_point]),
            }
            for s in CaseSample.objects.filter(site=site)
        ]
    if has_verb(request.user, Verb.RETURN_EDIT, site.la_code):
        href = reverse("case_audits:draw", args=[site.la_code])
        links.append({"text": "Draw a case-file sample", "href": href})
    return links
