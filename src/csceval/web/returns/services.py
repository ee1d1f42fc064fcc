"""Writes about returns: each in one transaction with its audit event, each authorised here too.

States and who moves them (SEC-D1: every transition audited with old and new status):

==============  ==================  ===============================  ======================
from            to                  action                           verb
==============  ==================  ===============================  ======================
(none)          draft               start a return                   ``return.edit``
draft/has iss.  draft               upload (replaces all values)     ``return.edit``
draft/has iss.  submitted           submit                           ``return.edit``
submitted       has issues          review, with a comment           ``return.review``
submitted       approved            review                           ``return.review``
approved        locked              lock                             ``return.review``
locked          approved            unlock, with a reason            ``evaluation.configure``
==============  ==================  ===============================  ======================

A rejected upload stores nothing; only an audit event saying that an upload was rejected (file
name, size, sha256 and the problem codes, never the values) is written.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from csceval.errors import InputError, Problem
from csceval.strands.costs.tables import COST_LEDGER
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.models import EvaluationSetup, Site
from csceval.web.evaluation.project_io import merge_csv_rows
from csceval.web.permissions import Verb, authorize, has_verb
from csceval.web.returns.models import (
    FEEDS_ANALYSIS,
    CostLine,
    PilotReturn,
    ReturnValue,
    ReviewComment,
    Status,
)
from csceval.web.returns.upload import ParsedReturn, read_upload

EARLIEST_YEAR = 2010


def _actor(user: Any) -> str:
    return str(user.get_username()) if user is not None else "system"


def _refuse(message: str, code: str = "CSC-E6117") -> InputError:
    return InputError([Problem(code=code, message=message)])


def _locked(pk: int) -> PilotReturn:
    return PilotReturn.objects.select_for_update().select_related("site").get(pk=pk)


def _move(
    actor: Any,
    ret: PilotReturn,
    status: Any,  # a Status member (mypy without the Django plugin sees a tuple)
    action: str,
    extra: dict[str, Any] | None = None,
    **stamps: datetime | None,
) -> str:
    """Give ``ret`` its new ``status`` and ``stamps`` (``submitted_at=...``), save, and audit
    the move; return the old status."""
    old = ret.status
    ret.status = status
    for field, value in stamps.items():
        setattr(ret, field, value)
    ret.save(update_fields=["status", *stamps])
    audit_record(
        actor=_actor(actor),
        action=action,
        object_type="pilot_return",
        object_id=str(ret.pk),
        old_values={"status": old},
        new_values={"status": ret.status, **(extra or {})},
    )
    return old


def _comment(actor: Any, ret: PilotReturn, text: str, old: str = "", new: str = "") -> None:
    comment = ReviewComment.objects.create(
        pilot_return=ret,
        author=actor,
        author_name=_actor(actor),
        status_from=old,
        status_to=new,
        text=text,
    )
    audit_record(
        actor=_actor(actor),
        action="return.comment",
        object_type="review_comment",
        object_id=str(comment.pk),
        new_values={"return": ret.pk, "text": text, "status_from": old, "status_to": new},
    )


def start_return(*, actor: Any, site: Site, year: int) -> PilotReturn:
    """The site's return for ``year``, started as a draft if there is none yet (audited)."""
    authorize(actor, Verb.RETURN_EDIT, site.la_code)
    if not EARLIEST_YEAR <= year <= timezone.now().year + 1:
        raise _refuse(f"Choose a year from {EARLIEST_YEAR} to {timezone.now().year + 1}")
    with transaction.atomic():
        ret, created = PilotReturn.objects.get_or_create(
            site=site, year=year, defaults={"created_by": actor}
        )
        if created:
            audit_record(
                actor=_actor(actor),
                action="return.create",
                object_type="pilot_return",
                object_id=str(ret.pk),
                new_values={"la_code": site.la_code, "year": year, "status": ret.status},
            )
    return ret


def record_template_download(*, actor: Any, ret: PilotReturn, sha256: str) -> None:
    """Audit a template download (SEC-D1: every download)."""
    authorize(actor, Verb.RETURN_EDIT, ret.la_code)
    facts = {"la_code": ret.la_code, "period": ret.period, "sha256": sha256}
    _audit(actor, ret, "return.template_download", facts)


def audit_refused_file(*, actor: Any, ret: PilotReturn, filename: str, size: int, why: str) -> None:
    """Audit an upload the form refused before reading it (too large, not .xlsx)."""
    facts = {"filename": filename[:200], "bytes": size, "refused": why[:200]}
    _audit(actor, ret, "return.upload_rejected", facts)


def _audit(actor: Any, ret: PilotReturn, action: str, facts: dict[str, Any]) -> None:
    """An audit event about ``ret`` in its own transaction (nothing else is written)."""
    with transaction.atomic():
        audit_record(
            actor=_actor(actor),
            action=action,
            object_type="pilot_return",
            object_id=str(ret.pk),
            new_values=facts,
        )


def upload(*, actor: Any, ret: PilotReturn, data: bytes, filename: str) -> ParsedReturn:
    """Read an upload; store its values (replacing the draft's) only if it has no problems.

    Returns the parse result: ``problems`` is empty when the values were stored.
    """
    authorize(actor, Verb.RETURN_EDIT, ret.la_code)
    if ret.status not in (Status.DRAFT, Status.HAS_ISSUES):
        raise _refuse(
            f"This return is {ret.get_status_display().lower()}: it can no longer be changed"
        )
    parsed = read_upload(data, filename=filename, la_code=ret.la_code, year=ret.year)
    digest = hashlib.sha256(data).hexdigest()
    file_facts = {"filename": filename[:200], "bytes": len(data), "sha256": digest}
    if parsed.problems:
        codes = Counter(p.code for p in parsed.problems)
        facts = {**file_facts, "problems": dict(sorted(codes.items()))}
        _audit(actor, ret, "return.upload_rejected", facts)
        return parsed
    with transaction.atomic():
        ret = _locked(ret.pk)
        if ret.status not in (Status.DRAFT, Status.HAS_ISSUES):
            raise _refuse("This return was submitted meanwhile: it can no longer be changed")
        old = {"status": ret.status, **ret.contents()}
        ret.indicator_values.all().delete()
        ret.costs.all().delete()
        ReturnValue.objects.bulk_create(
            ReturnValue(pilot_return=ret, indicator=k, value=v)
            for k, v in parsed.indicators.items()
        )
        CostLine.objects.bulk_create(CostLine(pilot_return=ret, **vars(c)) for c in parsed.costs)
        ret.status = Status.DRAFT
        ret.uploaded_at = timezone.now()
        ret.upload_sha256 = digest
        ret.save(update_fields=["status", "uploaded_at", "upload_sha256"])
        audit_record(
            actor=_actor(actor),
            action="return.upload",
            object_type="pilot_return",
            object_id=str(ret.pk),
            old_values=old,
            new_values={"status": ret.status, **ret.contents(), "file": file_facts},
        )
    return parsed


def submit(*, actor: Any, ret: PilotReturn) -> PilotReturn:
    authorize(actor, Verb.RETURN_EDIT, ret.la_code)
    with transaction.atomic():
        ret = _locked(ret.pk)
        if ret.status not in (Status.DRAFT, Status.HAS_ISSUES):
            raise _refuse(f"This return is {ret.get_status_display().lower()} already")
        if not ret.indicator_values.exists() and not ret.costs.exists():
            raise _refuse("Upload the return's values before submitting it", "CSC-E6118")
        _move(actor, ret, Status.SUBMITTED, "return.submit", submitted_at=timezone.now())
    return ret


def review(*, actor: Any, ret: PilotReturn, approve: bool, comment: str) -> PilotReturn:
    """Approve a submitted return, or send it back as having issues (a comment is required)."""
    authorize(actor, Verb.RETURN_REVIEW, ret.la_code)
    comment = comment.strip()
    with transaction.atomic():
        ret = _locked(ret.pk)
        if ret.status != Status.SUBMITTED:
            raise _refuse("Only a submitted return can be reviewed")
        if not approve and not comment:
            raise _refuse("Say what the issues are", "CSC-E6120")
        new, action = (
            (Status.APPROVED, "return.approve")
            if approve
            else (Status.HAS_ISSUES, "return.has_issues")
        )
        old = _move(actor, ret, new, action, reviewed_at=timezone.now())
        if comment:
            _comment(actor, ret, comment, old, ret.status)
    return ret


def lock(*, actor: Any, ret: PilotReturn) -> PilotReturn:
    authorize(actor, Verb.RETURN_REVIEW, ret.la_code)
    with transaction.atomic():
        ret = _locked(ret.pk)
        if ret.status != Status.APPROVED:
            raise _refuse("Only an approved return can be locked")
        _move(actor, ret, Status.LOCKED, "return.lock", locked_at=timezone.now())
    return ret


def unlock(*, actor: Any, ret: PilotReturn, reason: str) -> PilotReturn:
    """Unlock (back to approved) with a reason; evaluation admins only."""
    authorize(actor, Verb.EVALUATION_CONFIGURE, ret.la_code)
    reason = reason.strip()
    with transaction.atomic():
        ret = _locked(ret.pk)
        if ret.status != Status.LOCKED:
            raise _refuse("Only a locked return can be unlocked")
        if not reason:
            raise _refuse("Give the reason for unlocking", "CSC-E6120")
        old = _move(
            actor, ret, Status.APPROVED, "return.unlock", {"reason": reason}, locked_at=None
        )
        _comment(actor, ret, reason, old, ret.status)
    return ret


def add_comment(*, actor: Any, ret: PilotReturn, text: str) -> None:
    """A comment without a status change, by the LA (``return.edit``) or a reviewer."""
    if not (
        has_verb(actor, Verb.RETURN_EDIT, ret.la_code)
        or has_verb(actor, Verb.RETURN_REVIEW, ret.la_code)
    ):
        authorize(actor, Verb.RETURN_REVIEW, ret.la_code)
    text = text.strip()
    if not text:
        raise _refuse("Enter a comment", "CSC-E6120")
    with transaction.atomic():
        _comment(actor, _locked(ret.pk), text)


def approved_cost_rows() -> Iterable[dict[str, str]]:
    """Approved and locked cost lines as rows of ``data/cost_ledger.csv`` (cash prices of the
    return's financial year, so ``price_year`` is that year)."""
    lines = (
        CostLine.objects.filter(pilot_return__status__in=FEEDS_ANALYSIS)
        .select_related("pilot_return__site")
        .order_by("pilot_return__site__la_code", "pilot_return__year", "row")
    )
    for line in lines:
        ret = line.pilot_return

        def plain(value: Any) -> str:
            return "" if value is None else format(value.normalize(), "f")

        yield {
            "la_code": ret.site.la_code,
            "financial_year": ret.period,
            "category": line.category,
            "item": line.description,
            "one_off_or_ongoing": line.recurrence,
            "kind": line.kind,
            "amount_gbp": plain(line.amount),
            "hours": plain(line.hours),
            "unit_cost_gbp": plain(line.cost_per_hour),
            "price_year": ret.period,
            "source": line.source,
        }


def exported_cost_ledger(imported: bytes | None) -> bytes | None:
    """data/cost_ledger.csv for a snapshot: an approved return's cost lines replace the imported
    ledger rows of the same LA and financial year; years outside the evaluation's financial
    years are left out (they wait until the plan includes them)."""
    setup = EvaluationSetup.current()
    years = (
        set(setup.settings_json.get("periods", {}).get("financial_years", [])) if setup else set()
    )
    rows = [row for row in approved_cost_rows() if row["financial_year"] in years]
    return merge_csv_rows(imported, COST_LEDGER.column_names, ("la_code", "financial_year"), rows)


def approved_values() -> Iterable[tuple[str, int, str, str]]:
    """(la_code, year, indicator, value) of approved and locked returns, for snapshots."""
    rows = ReturnValue.objects.filter(pilot_return__status__in=FEEDS_ANALYSIS).values_list(
        "pilot_return__site__la_code", "pilot_return__year", "indicator", "value"
    )
    for la_code, year, indicator, value in rows.order_by(
        "pilot_return__site__la_code", "pilot_return__year", "indicator"
    ):
        yield la_code, year, indicator, format(value.normalize(), "f")
