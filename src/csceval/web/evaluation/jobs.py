"""The background worker: its identity, what it does at start-up, and the loop it runs.

Jobs live in the database (``django-tasks``' database backend), so a web restart loses none.
A worker killed mid-job (SIGKILL, out of memory, a power cut) cannot record anything, and its
job row stays "running"; :func:`recover_interrupted` settles such jobs when the next worker
starts. A worker's id names its host and process id, and a job is treated as abandoned only
when its worker ran on this host and that process is gone: a worker on another host may still
be doing it (several hosts sharing one PostgreSQL database each run their own worker). An
abandoned analysis run is queued once more (it starts again from the snapshot: runs are
deterministic, so resuming from the start gives the same result); if its worker dies again it
is marked failed with a message. A run left "queued" or "running" with no live job at all
(a server of an older version, a job failed outside the run) is marked failed too: nothing is
left "running" for ever.
"""

from __future__ import annotations

import os
import secrets
import socket

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from csceval.web.evaluation.models import AnalysisRun
from csceval.web.evaluation.runs import run_analysis

MAX_ATTEMPTS = 2  # the first run and one resumption
WORKER_DIED = "The background worker stopped twice during this run; start the run again."
NO_JOB = "The server stopped during this run."


class WorkerStoppedError(Exception):
    """Recorded on a job whose worker process died while doing it."""


def new_worker_id() -> str:
    """``host/pid/random``: unique across the pool, and says where the worker ran."""
    return f"{socket.gethostname()[:40]}/{os.getpid()}/{secrets.token_hex(4)}"


def _is_gone(worker_id: str, me: str) -> bool:
    """True when ``worker_id`` ran on this host and its process no longer exists."""
    host, _, rest = worker_id.partition("/")
    pid, _, _ = rest.partition("/")
    if host != socket.gethostname()[:40] or not pid.isdigit() or worker_id == me:
        return False
    if int(pid) == os.getpid():  # the same number, so the old process has gone
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _analysis_jobs() -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(task_path=run_analysis.module_path)


def recover_interrupted(me: str) -> tuple[int, int]:
    """Settle the analysis jobs of dead workers on this host; returns (resumed, failed)."""
    resumed = failed = 0
    for job in _analysis_jobs().filter(status=TaskResultStatus.RUNNING):
        if not job.worker_ids or not _is_gone(job.worker_ids[-1], me):
            continue
        kwargs = job.args_kwargs.get("kwargs", {})
        run_id, attempt = int(kwargs["run_id"]), int(kwargs.get("attempt", 1))
        with transaction.atomic():
            job.set_failed(WorkerStoppedError(f"worker {job.worker_ids[-1]} stopped"))
            runs = AnalysisRun.objects.filter(pk=run_id, status__in=_UNFINISHED)
            if attempt < MAX_ATTEMPTS:
                runs.update(
                    status=AnalysisRun.Status.QUEUED,
                    step="queued again: the background worker stopped",
                    progress=0.0,
                )
                run_analysis.enqueue(run_id=run_id, attempt=attempt + 1)
                resumed += 1
            else:
                failed += runs.update(**_failed(WORKER_DIED))
    live = {
        int(job.args_kwargs.get("kwargs", {}).get("run_id", 0))
        for job in _analysis_jobs().filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        )
    }
    failed += (
        AnalysisRun.objects.filter(status__in=_UNFINISHED)
        .exclude(pk__in=live)
        .update(**_failed(NO_JOB))
    )
    return resumed, failed


_UNFINISHED = [AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING]


def _failed(message: str) -> dict[str, object]:
    return {
        "status": AnalysisRun.Status.FAILED,
        "step": "interrupted",
        "error": message,
        "finished_at": timezone.now(),
    }


def run_worker(me: str, *, interval: float = 1.0, batch: bool = False) -> None:
    """Run ``db_worker`` as ``me`` until stopped (SIGINT or SIGTERM let the current job finish;
    a second one stops it, and the run is marked failed) or, with ``batch``, until the queue
    is empty. Call :func:`recover_interrupted` first."""
    from django.core.management import call_command

    call_command(
        "db_worker",
        worker_id=me,
        interval=interval,
        batch=batch,
        reload=False,
        startup_delay=False,
        verbosity=0 if batch else 1,
    )
