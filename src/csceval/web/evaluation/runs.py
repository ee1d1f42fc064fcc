"""Run the core pipeline on a snapshot of the database, in the background.

A run writes the database out as a project folder (the snapshot, with approved pilot returns
merged in), runs :func:`csceval.pipeline.run_project` on it, and keeps both under
``CSCEVAL_WEB_DATA/runs/<id>/``. The run is a job on the database-backed task queue
(``django-tasks`` with its database backend): queued in the same transaction as the run row, so
a web restart loses nothing, and done by a worker process (``csceval serve`` starts one;
``csceval worker`` runs one alone). Progress is written to the ``AnalysisRun`` row, so any web
process can show it. A job whose worker died is resumed once or failed with a message by
:func:`csceval.web.evaluation.jobs.recover_interrupted` when a worker starts.
"""

from __future__ import annotations

import shutil
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from csceval.atomic import MANIFEST, read_manifest
from csceval.errors import InputError
from csceval.output_scopes import FileScope
from csceval.pipeline import run_project
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.job_rows import fail, fail_unexpectedly, update
from csceval.web.evaluation.models import AnalysisRun
from csceval.web.evaluation.project_io import project_files, write_project

STOPPED = "The background worker was stopped during this run; start the run again."


def runs_folder() -> Path:
    return Path(settings.CSCEVAL_DATA_DIR) / "runs"


def public_summary(lines: list[str]) -> list[str]:
    """A run summary's lines without the server's file paths (what ran, what was published)."""
    return [line for line in lines if not line.startswith(("Report:", "Workbook:", "Done in"))]


def _without_paths(text: str, folder: Path) -> str:
    """``text`` with the run folder's server path removed (problems name project files)."""
    return text.replace(f"{folder / 'project'}/", "").replace(str(folder), "the run folder")


def execute(run_id: int) -> None:
    """Do the run (blocking). Failures are recorded on the run, never raised; the server's file
    paths are kept out of what the run page shows (summary and errors)."""
    folder = runs_folder() / str(run_id)
    shutil.rmtree(folder, ignore_errors=True)
    update(
        AnalysisRun,
        run_id,
        status=AnalysisRun.Status.RUNNING,
        step="building the snapshot",
        folder=str(folder),
    )
    try:
        write_project(folder / "project", project_files())

        def progress(step: str, fraction: float) -> None:
            update(AnalysisRun, run_id, step=step, progress=round(fraction, 3))

        summary = run_project(
            folder / "project", folder / "output", command=f"web run {run_id}", progress=progress
        )
        update(
            AnalysisRun,
            run_id,
            status=AnalysisRun.Status.DONE,
            step="done",
            progress=1.0,
            summary=public_summary(summary.lines()),
            finished_at=timezone.now(),
        )
    except InputError as exc:
        problems = _without_paths("\n".join(p.render() for p in exc.problems), folder)
        fail(AnalysisRun, run_id, "the snapshot is not a valid project", problems)
    except Exception as exc:
        fail_unexpectedly(AnalysisRun, run_id, exc)
    except BaseException:  # the worker was told to stop at once (a second Ctrl+C, SystemExit)
        fail(AnalysisRun, run_id, "interrupted", STOPPED)
        raise


@task()
def run_analysis(run_id: int, attempt: int = 1) -> None:
    """The queued job: do run ``run_id``. ``attempt`` counts how often it was queued (a job
    whose worker died is queued once more, see :mod:`csceval.web.evaluation.jobs`)."""
    execute(run_id)


def start_run(*, actor: object, background: bool = True) -> AnalysisRun:
    """Queue a run (audited): the run row and its job commit together, or neither does.
    ``background=False`` does the run here instead (blocking)."""
    with transaction.atomic():
        run = AnalysisRun.objects.create(started_by=actor)
        audit_record(
            actor=actor.get_username(),  # type: ignore[attr-defined]
            action="analysis.run",
            object_type="analysis_run",
            object_id=str(run.pk),
            new_values={"status": run.status},
        )
        if background:
            run_analysis.enqueue(run_id=run.pk)
    if not background:
        execute(run.pk)
        run.refresh_from_db()
    return run


def run_files(run: AnalysisRun) -> dict[str, FileScope | None]:
    """The files of a finished run's output, by relative path, with the scope its manifest
    records (None: no scope, never served). {} for a run not done or without a manifest."""
    if run.status != AnalysisRun.Status.DONE or not run.folder:
        return {}
    output = Path(run.folder) / "output"
    try:
        written = (output / MANIFEST).stat()
    except OSError:
        return {}
    identity = (written.st_ino, written.st_mtime_ns, written.st_size)
    return dict(_manifest_scopes(str(output), identity))


@lru_cache(maxsize=16)
def _manifest_scopes(
    output: str, identity: tuple[int, int, int]
) -> tuple[tuple[str, FileScope | None], ...]:
    """A run output's manifest read once (per manifest file: a folder replaced under the same
    run is read again), not on every page that lists or serves the run's files."""
    recorded = read_manifest(Path(output))
    return tuple((name, FileScope.from_record(entry)) for name, entry in recorded.items())


def report_file(run: AnalysisRun, relative: str) -> tuple[Path, FileScope] | None:
    """A file of the run's output and its scope, or None when the run's manifest does not list
    it with a scope, or it is missing, a link, or outside the folder.

    The requested path is only ever looked up among the manifest's names (no path tricks, no
    NUL bytes reach the file system); a file no scope rule covered is never served.
    """
    scope = run_files(run).get(relative)
    if scope is None:
        return None
    base = (Path(run.folder) / "output").resolve()
    target = base / relative
    if target.is_symlink() or not target.resolve().is_relative_to(base) or not target.is_file():
        return None
    return target, scope
