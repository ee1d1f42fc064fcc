"""Exports are background jobs (issue 16): posting the form queues one, the worker makes the
zip, and only the requester (or an evaluation admin) downloads it, checked and audited at
download time; a job whose worker died is queued again once, then failed with a message; old
files are purged."""

from __future__ import annotations

import io
import os
import socket
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from job_helpers import dead_pid, run_jobs
from returns_helpers import client_for
from web_helpers import make_user

from csceval.web.accounts.models import Membership
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.evaluation.jobs import recover_interrupted
from csceval.web.exports import jobs
from csceval.web.exports.models import ExportJob, ExportRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("export_files")]
PURPOSE = "Compare the pilot's returns with DfE's figures"


def _ask(client: Any, dataset: str = "return_values", **data: Any) -> ExportJob:
    response = client.post(
        f"/exports/{dataset}/", {"file_format": "csv", "purpose": PURPOSE, **data}
    )
    assert response.status_code == 302, response.content[:500]
    job: ExportJob = ExportJob.objects.latest("pk")
    assert response["Location"] == f"/exports/jobs/{job.pk}/"
    return job


def _zip(response: Any) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_an_export_is_queued_made_by_the_worker_and_downloaded(
    approved_returns: dict[str, Any], export_files: Path
) -> None:
    client = client_for(approved_returns["evaluator"])
    job = _ask(client)
    # Queued with its audit event in one transaction; nothing made in the request.
    assert job.status == ExportJob.Status.QUEUED
    assert not ExportRecord.objects.exists()
    request = AuditEvent.objects.get(action="export.request")
    assert request.new_values == {
        "dataset": "return_values",
        "format": "csv",
        "deidentified": False,
        "purpose": PURPOSE,
    }
    page = client.get(f"/exports/jobs/{job.pk}/")
    assert "no-store" in page["Cache-Control"]
    assert "Queued" in page.content.decode()
    assert client.get(f"/exports/jobs/{job.pk}/download/").status_code == 404  # not made yet

    assert run_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == (ExportJob.Status.DONE, 1.0, "")
    stored = export_files / job.file
    assert stored.parent == export_files / "exports" / str(job.pk)
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]  # renamed into place
    fragment = client.get(f"/exports/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert f'href="/exports/jobs/{job.pk}/download/"' in fragment.content.decode()
    assert b"<html" not in fragment.content
    assert f"/exports/jobs/{job.pk}/" in client.get("/exports/").content.decode()

    response = client.get(f"/exports/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert stored.name in response["Content-Disposition"]
    members = _zip(response)
    assert PURPOSE in members["README.txt"].decode()
    record = ExportRecord.objects.get()
    assert job.record == record
    assert AuditEvent.objects.get(action="export.create").object_id == str(record.pk)
    download = AuditEvent.objects.get(action="export.download")
    assert download.actor == "eval"
    assert download.new_values["job"] == job.pk
    assert download.new_values["sha256"] == record.sha256


def test_only_the_requester_or_an_admin_gets_the_file(approved_returns: dict[str, Any]) -> None:
    job = _ask(client_for(approved_returns["evaluator"]))
    run_jobs()
    colleague = client_for(make_user("eval-2", ("*", "evaluator")))
    assert colleague.get(f"/exports/jobs/{job.pk}/").status_code == 404
    assert colleague.get(f"/exports/jobs/{job.pk}/download/").status_code == 404
    assert f"/exports/jobs/{job.pk}/" not in colleague.get("/exports/").content.decode()
    admin = client_for(make_user("boss", ("*", "evaluation_admin")))
    assert admin.get(f"/exports/jobs/{job.pk}/download/").status_code == 200
    assert list(AuditEvent.objects.filter(action="export.download").values_list("actor")) == [
        ("boss",)
    ]


def test_the_download_checks_the_requester_again(approved_returns: dict[str, Any]) -> None:
    """Made while allowed, refused once the membership that allowed it is gone."""
    user = make_user("eval-3", ("*", "evaluator"))
    client = client_for(user)
    job = _ask(client)
    run_jobs()
    Membership.objects.filter(user=user).update(role="viewer")
    assert client.get(f"/exports/jobs/{job.pk}/download/").status_code == 403
    assert not AuditEvent.objects.filter(action="export.download").exists()


def test_a_job_made_after_its_requester_lost_the_verb_fails_with_a_message(
    approved_returns: dict[str, Any],
) -> None:
    user = make_user("eval-4", ("*", "evaluator"))
    job = _ask(client_for(user))
    Membership.objects.filter(user=user).delete()
    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.error, job.file) == (ExportJob.Status.FAILED, jobs.NO_LONGER, "")
    assert not ExportRecord.objects.exists()


def test_an_export_whose_worker_dies_is_made_again_then_failed(
    approved_returns: dict[str, Any],
) -> None:
    """The rule analysis runs follow (csceval.web.evaluation.jobs), for exports."""
    client = client_for(approved_returns["evaluator"])
    host = socket.gethostname()[:40]

    def killed(job: ExportJob) -> None:
        """As if a worker on this host took the job and was SIGKILLed mid-export."""
        DBTaskResult.objects.filter(
            args_kwargs__kwargs__job_id=job.pk, status=TaskResultStatus.READY
        ).update(status=TaskResultStatus.RUNNING, worker_ids=[f"{host}/{dead_pid()}/abc"])
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, progress=0.5)

    job = _ask(client)
    killed(job)
    assert recover_interrupted("this-worker")["export(s)"] == (1, 0)
    job.refresh_from_db()
    assert (job.status, job.step) == (
        ExportJob.Status.QUEUED,
        "queued again: the background worker stopped",
    )
    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    resumed = DBTaskResult.objects.get(status=TaskResultStatus.SUCCESSFUL)
    assert resumed.args_kwargs["kwargs"] == {"job_id": job.pk, "attempt": 2}

    twice = _ask(client)
    killed(twice)
    recover_interrupted("this-worker")
    killed(twice)
    assert recover_interrupted("this-worker")["export(s)"] == (0, 1)
    twice.refresh_from_db()
    assert (twice.status, twice.error) == (ExportJob.Status.FAILED, jobs.WORKER_DIED)
    page = client.get(f"/exports/jobs/{twice.pk}/").content.decode()
    assert "The export failed" in page
    assert "ask for it again" in page


def test_old_export_files_are_purged(approved_returns: dict[str, Any], export_files: Path) -> None:
    client = client_for(approved_returns["evaluator"])
    old, new = _ask(client), _ask(client)
    run_jobs()
    other = export_files / "exports" / "not-a-job"  # nothing but a job's folder is touched
    other.mkdir()
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert jobs.purge_files(actor="cli", days=7) == 1
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.file == ""
    assert not (export_files / "exports" / str(old.pk)).exists()
    assert (export_files / new.file).is_file()
    assert client.get(f"/exports/jobs/{old.pk}/download/").status_code == 404
    assert "has been deleted" in client.get(f"/exports/jobs/{old.pk}/").content.decode()
    assert AuditEvent.objects.get(action="export.purge").new_values == {"deleted": 1, "days": 7}
    assert sorted(os.listdir(export_files / "exports")) == sorted([str(new.pk), other.name])


def test_an_unexpected_error_is_logged_under_a_reference_and_not_shown(
    approved_returns: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = client_for(approved_returns["evaluator"])
    job = _ask(client)

    def broken(**_: Any) -> None:  # a fault the code does not expect: a bug, a lost disk
        raise OSError("/srv/csceval/data/exports: child LA001-0042 row 7")

    monkeypatch.setattr(jobs.services, "export_dataset", broken)
    with caplog.at_level("ERROR", logger="csceval.jobs"):
        run_jobs()
    job.refresh_from_db()
    assert (job.status, job.step, job.file) == (ExportJob.Status.FAILED, "failed", "")
    page = client.get(f"/exports/jobs/{job.pk}/").content.decode()
    for secret in ("/srv/csceval", "LA001-0042", "OSError"):
        assert secret not in job.error
        assert secret not in page
    (record,) = [r for r in caplog.records if r.name == "csceval.jobs"]
    reference = record.args[2]  # type: ignore[index]
    assert f"reference {reference}" in job.error
    assert f"reference {reference}" in page
    assert record.exc_info
    assert "LA001-0042" in str(record.exc_info[1])  # the log has it all


def test_an_export_stopped_before_delivery_leaves_no_record(
    approved_returns: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recorded if and only if delivered: a stop while the file is written (Ctrl+C here; a
    SIGKILL never commits either) rolls back the record and its audit event, so the job's retry
    records the export once."""
    client = client_for(approved_returns["evaluator"])
    job = _ask(client)
    real_write = jobs.write_file

    def stopped(*_: Any) -> Path:
        raise KeyboardInterrupt

    monkeypatch.setattr(jobs, "write_file", stopped)
    with pytest.raises(KeyboardInterrupt):
        jobs.execute(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportJob.Status.FAILED, jobs.STOPPED)
    assert not ExportRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="export.create").exists()

    monkeypatch.setattr(jobs, "write_file", real_write)
    jobs.execute(job.pk)  # asked again
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert ExportRecord.objects.get() == job.record
    assert AuditEvent.objects.filter(action="export.create").count() == 1
