"""Exports asked for on the web, made in the background and downloaded when ready.

Posting the export form queues a job in the database (the queue and worker of analysis runs,
:mod:`csceval.web.evaluation.jobs`), in the same transaction as its :class:`ExportJob` row and
the request's audit event (``export.request``), and the page follows its progress. The worker
makes the export as the requester (:func:`csceval.web.exports.services.export_dataset`, which
authorises, scopes, protects or de-identifies and records it: what the synchronous export did)
and writes the zip aside and renames it (:func:`csceval.atomic.write_file`) to
``CSCEVAL_DATA_DIR/exports/<job>/``, so a killed worker leaves no half file; its job is queued
once more, then failed with a message, by the rule every job follows. The file is written and
the job marked done inside the transaction that records and audits the export, so a job killed
before that commit leaves no record, and its retry records the export once.

A download is allowed only to the requester, or to an evaluation admin (``evaluation.configure``
on every site), and only while they hold the dataset's export verb on every LA the file covers:
checked again at download time, so a revoked membership stops the download of a file made
before. Anyone else is answered 404, as if the export did not exist. Each download is audited
(``export.download``, SEC-D1). ``csceval purge-drafts`` deletes the files after
``--export-days`` days, 7 by default (:func:`purge_files`; see docs/security.md).
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django_tasks import task

from csceval.atomic import write_file
from csceval.errors import InputError
from csceval.web.accounts.models import ALL_LAS
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.job_rows import fail, fail_unexpectedly, update
from csceval.web.evaluation.jobs import JobKind, register_job_kind
from csceval.web.exports import registry, services
from csceval.web.exports.models import ExportJob
from csceval.web.exports.registry import Dataset
from csceval.web.permissions import Verb, authorize, has_verb

STOPPED = "The background worker was stopped while making this export; ask for it again."
WORKER_DIED = "The background worker stopped twice while making this export; ask for it again."
NO_JOB = "The server stopped while making this export; ask for it again."
NO_LONGER = "You may no longer export this dataset."


def exports_folder() -> Path:
    return Path(settings.CSCEVAL_DATA_DIR) / "exports"


@task()
def make_export(job_id: int, attempt: int = 1) -> None:
    """The queued job: make export ``job_id``. ``attempt`` counts how often it was queued."""
    execute(job_id)


EXPORTS = register_job_kind(
    JobKind(make_export, ExportJob, "job_id", "export(s)", WORKER_DIED, NO_JOB)
)


def request_export(
    *, actor: Any, ds: Dataset, fmt: str, deidentified: bool, purpose: str
) -> ExportJob:
    """Queue an export (audited): the job row, its audit event and its task commit together.
    Raises PermissionDenied, or InputError for a missing purpose or an unknown format."""
    authorize(actor, services.verb_for(ds))
    purpose = services.check_request(ds, fmt, purpose)
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=actor,
            username=actor.get_username(),
            dataset=ds.id,
            file_format=fmt,
            deidentified=deidentified,
            purpose=purpose,
        )
        audit_record(
            actor=actor.get_username(),
            action="export.request",
            object_type="export_job",
            object_id=str(job.pk),
            new_values=job.audit_values(),
        )
        make_export.enqueue(job_id=job.pk)
    return job


def execute(job_id: int) -> None:
    """Make the export (blocking). Failures are recorded on the job, never raised (a stop at
    once, BaseException, is recorded and raised again); an unexpected error's text goes to the
    application log, never to the page (:mod:`csceval.web.evaluation.job_rows`)."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    update(ExportJob, job_id, status=ExportJob.Status.RUNNING, step="starting", progress=0.0)
    ds = registry.dataset(job.dataset)
    try:
        if ds is None or job.user is None:
            raise PermissionDenied(NO_LONGER)

        def deliver(made: services.ExportFile) -> None:
            target = write_file(exports_folder() / str(job_id) / made.filename, made.data)
            update(
                ExportJob,
                job_id,
                status=ExportJob.Status.DONE,
                step="done",
                progress=1.0,
                file=str(target.relative_to(settings.CSCEVAL_DATA_DIR)),
                record=made.record,
                finished_at=timezone.now(),
            )

        services.export_dataset(
            actor=job.user,
            ds=ds,
            fmt=job.file_format,
            deidentified=job.deidentified,
            purpose=job.purpose,
            progress=lambda step, fraction: update(ExportJob, job_id, step=step, progress=fraction),
            deliver=deliver,
        )
    except PermissionDenied:
        fail(ExportJob, job_id, "refused", NO_LONGER)
    except InputError as exc:
        fail(ExportJob, job_id, "refused", "\n".join(p.message for p in exc.problems))
    except Exception as exc:
        fail_unexpectedly(ExportJob, job_id, exc)
    except BaseException:  # told to stop at once (a second Ctrl+C, SystemExit)
        fail(ExportJob, job_id, "interrupted", STOPPED)
        raise


def may_see(user: Any, job: ExportJob) -> bool:
    """The requester, or an evaluation admin (``evaluation.configure`` on every site)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return job.user_id == user.pk or has_verb(user, Verb.EVALUATION_CONFIGURE, ALL_LAS)


def visible_job(user: Any, job_id: int) -> ExportJob:
    """The job if ``user`` may see it; 404 otherwise, exactly like a missing one."""
    job = ExportJob.objects.select_related("record").filter(pk=job_id).first()
    if job is None or not may_see(user, job):
        raise Http404("No such export")
    return job


def download_file(user: Any, job: ExportJob) -> Path:
    """The finished job's zip, for ``user`` (who may see the job): their export verb is checked
    on every LA the file covers, now (403, or 404 for an LA they no longer see), and the
    download audited. 404 for a job not done, or whose file was purged."""
    ds = registry.dataset(job.dataset)
    record = job.record
    if ds is None or record is None or job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("No such export")
    verb = services.verb_for(ds)
    authorize(user, verb)
    for la_code in record.la_codes:
        authorize(user, verb, la_code)
    path = Path(settings.CSCEVAL_DATA_DIR) / job.file
    if not path.is_file():
        raise Http404("No such export")
    with transaction.atomic():
        audit_record(
            actor=user.get_username(),
            action="export.download",
            object_type="export",
            object_id=str(record.pk),
            new_values={
                **record.audit_values(),
                "deidentification": services.deidentification_level(ds, record.deidentified),
                "job": job.pk,
                "requested_by": job.username,
            },
        )
    return path


def purge_files(*, actor: str, days: int) -> int:
    """Delete the folders of exports asked for more than ``days`` days ago (their job rows,
    records and audit events stay); audited; returns how many were deleted. Only folders of
    jobs in the database are touched, never anything else under the data folder."""
    cutoff = timezone.now() - timedelta(days=days)
    old = ExportJob.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)
    gone = [pk for pk in old if (exports_folder() / str(pk)).is_dir()]
    for pk in gone:
        shutil.rmtree(exports_folder() / str(pk), ignore_errors=True)
    with transaction.atomic():
        ExportJob.objects.filter(pk__in=gone).update(file="")
        audit_record(
            actor=actor,
            action="export.purge",
            object_type="export_job",
            new_values={"deleted": len(gone), "days": days},
        )
    return len(gone)
