"""Analysis runs are jobs in the database: they survive a web restart and a killed worker
(issue 16). The worker is a real ``csceval worker`` process against the test database, killed
with SIGKILL mid-run; runs on SQLite and, in the PostgreSQL pass, PostgreSQL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from backup_helpers import database_url, subprocess_env
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from job_helpers import dead_pid
from web_helpers import make_user, sign_in

from csceval.cli.web_worker import report_recovered
from csceval.web.evaluation.jobs import WORKER_DIED, recover_interrupted
from csceval.web.evaluation.models import AnalysisRun
from csceval.web.evaluation.project_io import import_project
from csceval.web.evaluation.runs import run_analysis
from csceval.web.gunicorn_hooks import WORKER

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def synthetic(quick_simulated: Callable[[int], Path]) -> Path:
    return quick_simulated(7)


def _wait_for(run: AnalysisRun, done: Callable[[AnalysisRun], bool]) -> None:
    for _ in range(6000):  # generous: a loaded machine can take minutes; no timed assertion
        run.refresh_from_db()
        if done(run):
            return
        time.sleep(0.05)


def test_a_run_survives_a_web_restart_and_a_killed_worker(synthetic: Path, tmp_path: Path) -> None:
    import_project(synthetic, actor="test")
    client = sign_in(Client(), make_user("eve", ("*", "evaluator")))
    assert client.post("/analysis/start/").status_code == 302
    run = AnalysisRun.objects.get()
    report_recovered()  # what `csceval serve` does when the web server starts again
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.QUEUED, run.error
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY

    env = subprocess_env(tmp_path / "data", database_url())
    worker = [sys.executable, "-c", WORKER, "worker"]
    first = subprocess.Popen([*worker, "--interval", "0.1"], env=env)
    try:
        _wait_for(run, lambda r: r.status != AnalysisRun.Status.QUEUED and r.progress > 0)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    run.refresh_from_db()
    # Killed mid-run: nothing could record it.
    assert run.status == AnalysisRun.Status.RUNNING, (run.status, run.error)

    second = subprocess.run(
        [*worker, "--batch"], env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert second.returncode == 0, second.stderr
    assert "Queued 1 interrupted analysis run(s) again." in second.stdout
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.DONE, run.error
    killed, resumed = DBTaskResult.objects.order_by("enqueued_at")
    assert killed.status == TaskResultStatus.FAILED
    assert killed.exception_class_path.endswith("WorkerStoppedError")
    assert resumed.status == TaskResultStatus.SUCCESSFUL
    assert resumed.args_kwargs["kwargs"] == {"run_id": run.pk, "attempt": 2}
    fragment = client.get(f"/analysis/{run.pk}/", headers={"HX-Request": "true"})
    assert b"Read the report" in fragment.content
    assert b"<html" not in fragment.content


def test_a_run_whose_worker_dies_twice_fails_with_a_message() -> None:
    host = socket.gethostname()[:40]
    runs = {}
    for name, worker_id in {
        "dead": f"{host}/{dead_pid()}/abc",
        "alive": f"{host}/{os.getppid()}/abc",
        "elsewhere": f"another-host/{dead_pid()}/abc",
    }.items():
        run = AnalysisRun.objects.create(status=AnalysisRun.Status.RUNNING, step="impact")
        run_analysis.enqueue(run_id=run.pk, attempt=2)
        DBTaskResult.objects.filter(args_kwargs__kwargs__run_id=run.pk).update(
            status=TaskResultStatus.RUNNING, worker_ids=[worker_id]
        )
        runs[name] = run
    orphan = AnalysisRun.objects.create(status=AnalysisRun.Status.QUEUED)

    assert recover_interrupted("this-worker")["analysis run(s)"] == (0, 2)
    for run in (*runs.values(), orphan):
        run.refresh_from_db()
    assert runs["dead"].status == AnalysisRun.Status.FAILED
    assert runs["dead"].error == WORKER_DIED
    assert orphan.status == AnalysisRun.Status.FAILED
    assert orphan.error == "The server stopped during this run."
    assert runs["alive"].status == runs["elsewhere"].status == AnalysisRun.Status.RUNNING
