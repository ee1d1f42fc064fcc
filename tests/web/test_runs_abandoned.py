"""`csceval serve` marks runs that a stopped server left "running" as failed, with a message
(issue 16: after a server kill mid-run the run stayed "Running" forever)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db import connections

from csceval.cli import main
from csceval.web.evaluation.models import AnalysisRun


class GunicornExecError(Exception):
    """Raised instead of replacing the process with gunicorn."""


@pytest.mark.django_db
def test_serve_marks_interrupted_runs_failed_before_the_workers_start(
    monkeypatch: pytest.MonkeyPatch, settings: object, tmp_path: Path
) -> None:
    settings.CSCEVAL_DATA_DIR = tmp_path  # type: ignore[attr-defined]
    running = AnalysisRun.objects.create(status=AnalysisRun.Status.RUNNING, step="impact")
    queued = AnalysisRun.objects.create(status=AnalysisRun.Status.QUEUED)
    done = AnalysisRun.objects.create(status=AnalysisRun.Status.DONE, step="done")

    def exec_gunicorn(*args: object) -> None:
        raise GunicornExecError

    monkeypatch.setattr("csceval.cli.web._migrate", lambda **_: None)
    monkeypatch.setattr("csceval.cli.web.require_migrated", lambda: None)
    monkeypatch.setattr("csceval.web.staticfiles.collect_assets", lambda: None)
    monkeypatch.setattr("csceval.web.staticfiles.remove_other_collections", lambda: None)
    monkeypatch.setattr("os.execv", exec_gunicorn)
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keeps the test's transaction
    result = CliRunner().invoke(main, ["serve", "--port", "8999"])
    assert isinstance(result.exception, GunicornExecError), result.output
    assert "Marked 2 interrupted analysis run(s) as failed." in result.output
    for run in (running, queued):
        run.refresh_from_db()
        assert run.status == AnalysisRun.Status.FAILED
        assert run.error == "The server stopped during this run."
        assert run.finished_at is not None
    done.refresh_from_db()
    assert done.status == AnalysisRun.Status.DONE
