"""Who may reach each case-audit page (read by the access-matrix test)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csceval.web.access import Route
from csceval.web.permissions import Verb


def _site(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"la_code": la}


def _sample(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"la_code": la, "time_point": "T1"}


def _case(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"case_id": ctx["cases"][la].pk}


ROUTES: dict[str, Route] = {
    "case_audits:index": Route(Verb.SITE_VIEW, "any"),
    "case_audits:draw": Route(Verb.RETURN_EDIT, "object", _site),
    "case_audits:tasks": Route(Verb.CASE_VIEW, "object", _sample),
    "case_audits:sample_csv": Route(Verb.CASE_VIEW, "object", _sample),
    "case_audits:drawn": Route(Verb.RETURN_EDIT, "object", _sample),
    "case_audits:case": Route(Verb.CASE_AUDIT, "object", _case),
    "case_audits:compare": Route(Verb.CASE_VIEW, "object", _case),
    "case_audits:reconcile": Route(Verb.CASE_AUDIT, "object", _case, method="post"),
    "case_audits:replace": Route(Verb.CASE_AUDIT, "object", _case, method="post"),
}


def objects(sites: Mapping[str, Any]) -> dict[str, Any]:
    """A T1 sample with one sampled case for each site."""
    from csceval.web.case_audits.models import CaseSample, SampledCase

    cases = {}
    for code, site in sites.items():
        sample = CaseSample.objects.create(
            site=site, time_point="T1", seed=1, case_list_sha256="0" * 64, n_requested=1,
            allocation="equal", second_share=0, instrument="assessment-and-planning",
            instrument_version="1.0",
        )  # fmt: skip
        cases[code] = SampledCase.objects.create(
            sample=sample, pseudonym=f"P-{code}", stratum="cla", drawn_rank=1, status="sampled"
        )
    return {"cases": cases}
