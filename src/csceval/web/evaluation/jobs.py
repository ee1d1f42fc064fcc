"""The background worker: its identity, what it does at start-up, and the loop it runs.

Jobs live in the database (``django-tasks``' database backend), so a web restart loses none.
Each kind of job (an analysis run, a dataset export: :class:`JobKind`) reports to a row of its
own (:class:`~csceval.web.evaluation.models.JobState`: status, step, progress, error); an app
registers its kind with :func:`register_job_kind`. A worker killed mid-job (SIGKILL, out of
memory, a power cut, its ``csceval serve`` killed) cannot record anything, and its job row stays
"running"; :func:`recover_interrupted` settles such jobs, of every kind by one rule, when the next
worker starts. A worker's id names its host and process id, and a job is treated as abandoned
only when its worker ran on this host and that process is gone: a worker on another host may
still be doing it (several hosts sharing one PostgreSQL database each run their own worker). An
abandoned job is queued once more (it starts again from the start: runs are deterministic, and
an export is written aside and renamed, so doing it again gives the same result); if its worker
dies again it is marked failed with a message. A row left "queued" or "running" with no live job
at all (a server of an older version, a job failed outside the row) is marked failed too:
nothing is left "running" for ever.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from csceval.web.evaluation.models import AnalysisRun, JobState
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


@dataclass(frozen=True)
class JobKind:
    """A kind of background job: its task, the row it reports to and what recovery says.

    The task takes the row's id as keyword ``key`` and ``attempt`` (how often it was queued)."""

    task: Task[Any, None]
    model: type[JobState]
    key: str
    label: str
    """What :func:`recover_interrupted` counts: "analysis run(s)", "export(s)"."""
    worker_died: str
    """The row's error when its worker died on the last attempt."""
    no_job: str
    """The row's error when it was left unfinished with no live job."""


_KINDS: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> JobKind:
    """Make :func:`recover_interrupted` settle jobs of ``kind`` (an app calls this once)."""
    _KINDS[kind.task.module_path] = kind
    return kind


ANALYSIS = register_job_kind(
    JobKind(run_analysis, AnalysisRun, "run_id", "analysis run(s)", WORKER_DIED, NO_JOB)
)


def recover_interrupted(me: str) -> dict[str, tuple[int, int]]:
    """Settle the jobs of dead workers on this host: (resumed, failed) by kind's label."""
    return {kind.label: _recover(kind, me) for kind in _KINDS.values()}


def _recover(kind: JobKind, me: str) -> tuple[int, int]:
    resumed = failed = 0
    jobs = DBTaskResult.objects.filter(task_path=kind.task.module_path)
    for job in jobs.filter(status=TaskResultStatus.RUNNING):
        if not job.worker_ids or not _is_gone(job.worker_ids[-1], me):
            continue
        kwargs = job.args_kwargs.get("kwargs", {})
        row_id, attempt = int(kwargs[kind.key]), int(kwargs.get("attempt", 1))
        with transaction.atomic():
            job.set_failed(WorkerStoppedError(f"worker {job.worker_ids[-1]} stopped"))
            rows = kind.model.objects.filter(pk=row_id, status__in=_UNFINISHED)
            if attempt < MAX_ATTEMPTS:
                rows.update(
                    status=JobState.Status.QUEUED,
                    step="queued again: the background worker stopped",
                    progress=0.0,
                )
                kind.task.enqueue(**{kind.key: row_id, "attempt": attempt + 1})
                resumed += 1
            else:
                failed += rows.update(**_failed(kind.worker_died))
    live = {
        int(job.args_kwargs.get("kwargs", {}).get(kind.key, 0))
        for job in jobs.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
    }
    failed += (
        kind.model.objects.filter(status__in=_UNFINISHED)
        .exclude(pk__in=live)
        .update(**_failed(kind.no_job))
    )
    return resumed, failed


_UNFINISHED = [JobState.Status.QUEUED, JobState.Status.RUNNING]


def _failed(message: str) -> dict[str, object]:
    return {
        "status": JobState.Status.FAILED,
        "step": "interrupted",
        "error": message,
        "finished_at": timezone.now(),
    }


def run_worker(me: str, *, interval: float = 1.0, batch: bool = False) -> None:
    """Run ``db_worker`` as ``me`` until stopped (SIGINT or SIGTERM let the current job finish;
    a second one stops it, and the job is marked failed) or, with ``batch``, until the queue
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
