"""Scoping-survey responses: given through a link, uploaded, reviewed into the register.

Each write is one transaction with its audit record. Reviewing a response as ``accepted`` runs
the strand's own review step (:func:`csceval.strands.scoping.survey.review_responses`) on the
current register and this response alone, and writes the episodes it changes as new versions,
so the register's history says which response changed what.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from django.db import transaction

from csceval.errors import InputError
from csceval.strands.scoping.responses_io import merge_responses, read_responses
from csceval.strands.scoping.survey import review_responses
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.models import LocalAuthority
from csceval.web.scoping.models import ResponseOrigin, ScopingResponse
from csceval.web.scoping.register import actor_name, apply_register, register_frame
from csceval.web.scoping.selectors import responses_frame


class ReviewedError(Exception):
    """The response has been reviewed already: an LA's link can no longer change it."""


def _audit_values(response: ScopingResponse) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in response.row().items()}


def link_response(link_key: str) -> ScopingResponse | None:
    """The response given through the link ``link_key`` (its latest), if any."""
    return ScopingResponse.objects.filter(link_key=link_key).order_by("-received", "-pk").first()


@transaction.atomic
def response_give(
    *, link_key: str, la_code: str, answers: dict[str, str], today: date | None = None
) -> ScopingResponse:
    """Record (or, while not yet reviewed, correct) the LA's answer given through its link."""
    day = today or date.today()
    found = link_response(link_key)
    if found is not None:
        found = ScopingResponse.objects.select_for_update().get(pk=found.pk)
        if found.review_status not in ("pending", "query"):
            raise ReviewedError(found.response_id)
    old = _audit_values(found) if found is not None else None
    response = found or ScopingResponse(
        response_id=f"W-{uuid.uuid4().hex[:10].upper()}",
        la_code=la_code,
        origin=ResponseOrigin.LINK,
        link_key=link_key,
    )
    for key, value in answers.items():
        setattr(response, key, value)
    response.received = day
    response.review_status = "pending"
    response.reviewed = None
    response.save()
    audit_record(
        actor="scoping survey link",
        action="scoping.response_give" if old is None else "scoping.response_correct",
        object_type="scoping_response",
        object_id=response.response_id,
        old_values=old,
        new_values=_audit_values(response),
    )
    return response


@dataclass(frozen=True)
class Reviewed:
    response: ScopingResponse
    changes: list[str]


@transaction.atomic
def response_review(
    *, actor: Any, response: ScopingResponse, decision: str, today: date | None = None
) -> Reviewed:
    """Record the decision; an accepted response changes the register (see the module)."""
    response = ScopingResponse.objects.select_for_update().get(pk=response.pk)
    if response.review_status not in ("pending", "query"):
        raise ReviewedError(response.response_id)
    old = _audit_values(response)
    response.review_status = decision
    response.reviewed = max(today or date.today(), response.received)
    response.save()
    changes: list[str] = []
    if decision == "accepted":
        one = pd.DataFrame([response.row()])
        review = review_responses(register_frame(), one)
        changes = apply_register(
            actor=actor,
            new=review.register,
            reason=f"scoping response {response.response_id} accepted",
            la_codes={response.la_code},
        )
    audit_record(
        actor=actor_name(actor),
        action="scoping.response_review",
        object_type="scoping_response",
        object_id=response.response_id,
        old_values=old,
        new_values={**_audit_values(response), "register_changes": changes},
    )
    return Reviewed(response, changes)


@transaction.atomic
def responses_upload(*, actor: Any, name: str, content: bytes, sheet: str | None) -> int:
    """Add the responses of an uploaded CSV or XLSX file (the strand's reader: bounded,
    all-or-nothing, coded problems in :class:`InputError`); returns how many were new.

    The new rows are inserted in batches (``bulk_create``): one INSERT per row made a file of
    20,000 rows (the reader's limit) take 4.5 s of CPU in the request, three quarters of it in
    Django's per-row save (measured 2026-12-07, see docs/security.md "Background jobs")."""
    known = set(LocalAuthority.objects.values_list("la_code", flat=True))
    new = read_responses(name, content, known, sheet or None)
    existing = responses_frame()
    merged = merge_responses(existing, new, name)
    held = set(existing["response_id"].astype(str))
    rows = []
    for row in merged.to_dict("records"):
        if str(row["response_id"]) in held:
            continue
        values = {str(k): _cell(v) for k, v in row.items()}
        values["since"] = values["since"] or ""
        rows.append(ScopingResponse(**values, origin=ResponseOrigin.UPLOAD))
    added = len(ScopingResponse.objects.bulk_create(rows, batch_size=500))
    audit_record(
        actor=actor_name(actor),
        action="scoping.responses_upload",
        object_type="scoping_responses",
        object_id=name[:64],
        new_values={"file": name, "sheet": sheet or "", "read": len(new), "added": added},
    )
    return added


def _cell(value: object) -> Any:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


__all__ = ["InputError", "ReviewedError", "response_give", "response_review", "responses_upload"]
