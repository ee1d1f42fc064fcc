"""Drawing samples, saving ratings and reconciling; every change audited in its transaction.

The case list and the key live only in this module's function arguments: :func:`draw` parses and
pseudonymises in memory (:mod:`csceval.strands.quality_of_recording`) and stores the pseudonymised
sample, or nothing at all when the core refuses the list. Where a case stands is read by
:mod:`csceval.web.case_audits.case_state`; the rows exported with a project are built by
:mod:`csceval.web.case_audits.exports`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from csceval.errors import InputError, Problem
from csceval.strands.quality_of_recording.case_list import parse
from csceval.strands.quality_of_recording.instrument import default_instrument
from csceval.strands.quality_of_recording.pseudonyms import PseudonymKey
from csceval.strands.quality_of_recording.sampling import SAMPLE_COLUMNS, draw_sample, replace_case
from csceval.strands.quality_of_recording.sampling import CaseSample as DrawnSample
from csceval.web.audit_trail.services import audit_record
from csceval.web.case_audits.case_state import (
    COMPLETED,
    IN_PROGRESS,
    NOT_STARTED,
    RECONCILE,
    disagreements,
    instrument_of,
    slot,
    state,
)
from csceval.web.case_audits.exports import exported_audits, exported_samples
from csceval.web.case_audits.models import (
    CaseAnswer,
    CaseRating,
    CaseSample,
    ReconciledAnswer,
    SampledCase,
)
from csceval.web.evaluation.models import Site
from csceval.web.implementation.services import time_points
from csceval.web.permissions import Verb, has_verb

__all__ = [
    "COMPLETED",
    "IN_PROGRESS",
    "NOT_STARTED",
    "RECONCILE",
    "disagreements",
    "draw",
    "exported_audits",
    "exported_samples",
    "instrument_of",
    "reconcile",
    "record_view",
    "replace",
    "save_rating",
    "second_rating_flags",
    "site_links",
    "slot",
    "state",
    "time_points",
]


def _actor(user: Any) -> str:
    return str(user.get_username())


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
