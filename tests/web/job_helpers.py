"""Background jobs in tests: run the queued jobs in this process with the worker's own job
runner, export through the web as a user does (post the form, the worker makes it, download),
and a dead worker's process id."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from csceval.web.evaluation.jobs import new_worker_id


@pytest.fixture
def export_files(settings: Any, tmp_path: Path) -> Path:
    """Export files go to this test's folder, not the checkout's ``var/`` (use it with
    ``pytest.mark.usefixtures("export_files")`` after importing it)."""
    settings.CSCEVAL_DATA_DIR = tmp_path
    return tmp_path


def run_jobs() -> int:
    """Do every queued job here as ``csceval worker --batch`` does (claim, then the worker's
    ``run_task``), but inside the test's transaction: the worker's loop closes the database
    connection between jobs, which a test transaction cannot survive. Returns how many ran."""
    me = new_worker_id()
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=me,
        excluded_queue_names=[],
    )
    done = 0
    while (job := DBTaskResult.objects.ready().get_locked()) is not None:
        job.claim(me)
        worker.run_task(job)
        done += 1
    return done


def export_download(client: Any, dataset: str, **data: Any) -> Any:
    """POST the export form; when it queued a job (302 to the job page), run it and return the
    download's response, else the form's response (400, 403, ...)."""
    posted = client.post(f"/exports/{dataset}/", data)
    if posted.status_code != 302:
        return posted
    page = posted["Location"]
    run_jobs()
    return client.get(f"{page}download/")


def dead_pid() -> int:
    """The id of a process that has exited (a killed worker's, for the recovery rule)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid
