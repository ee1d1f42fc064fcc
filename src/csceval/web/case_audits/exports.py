"""The case-audit rows the platform adds to a project's ``data/`` tables on export.

``data/case_samples.csv`` gets every sample drawn in the platform; ``data/case_audits.csv`` the
answers of completed ratings and the reconciled answers. Raters appear by pseudonymous id only.
"""

from __future__ import annotations

from typing import Any

from csceval.strands.quality_of_recording.tables import CASE_AUDITS, CASE_SAMPLES
from csceval.web.case_audits.models import CaseAnswer, ReconciledAnswer, SampledCase
from csceval.web.evaluation.project_io import merge_csv_rows


def rater_id(user: Any) -> str:
    """The pseudonymous rater id exported with ratings (never a name)."""
    return f"auditor-{user.pk}"


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
