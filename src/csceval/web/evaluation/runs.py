"""Run the core pipeline on a snapshot of the database, in the background.

A run writes the database out as a project folder (the snapshot, with approved pilot returns
merged in), runs :func:`csceval.pipeline.run_project` on it, and keeps both under
``CSCEVAL_WEB_DATA/runs/<id>/``. The work happens in a thread of the web process, which suits
the platform's scale (a handful of runs a day); progress is written to the ``AnalysisRun`` row,
so any worker can show it. A run interrupted by a restart stays "running" with its last step;
:func:`mark_abandoned` marks such runs failed at start-up.
"""

from __future__ import annotations

import shutil
import threading
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from csceval.atomic import MANIFEST, read_manifest
from csceval.errors import InputError
from csceval.output_scopes import FileScope
from csceval.pipeline import run_project
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.models import AnalysisRun
from csceval.web.evaluation.project_io import project_files, write_project


def runs_folder() -> Path:
    return Path(settings.CSCEVAL_DATA_DIR) / "runs"


def _update(run_id: int, **fields: object) -> None:
    AnalysisRun.objects.filter(pk=run_id).update(**fields)


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
    _update(
        run_id, status=AnalysisRun.Status.RUNNING, step="building the snapshot", folder=str(folder)
    )
    try:
        write_project(folder / "project", project_files())

        def progress(step: str, fraction: float) -> None:
            _update(run_id, step=step, progress=round(fraction, 3))

        summary = run_project(
            folder / "project", folder / "output", command=f"web run {run_id}", progress=progress
        )
        _update(
            run_id,
            status=AnalysisRun.Status.DONE,
            step="done",
            progress=1.0,
            summary=public_summary(summary.lines()),
            finished_at=timezone.now(),
        )
    except InputError as exc:
        _update(
            run_id,
            status=AnalysisRun.Status.FAILED,
            step="the snapshot is not a valid project",
            error=_without_paths("\n".join(p.render() for p in exc.problems), folder),
            finished_at=timezone.now(),
        )
    except Exception as exc:
        _update(
            run_id,
            status=AnalysisRun.Status.FAILED,
            step="failed",
            error=_without_paths(f"{type(exc).__name__}: {exc}", folder),
            finished_at=timezone.now(),
        )


def start_run(*, actor: object, background: bool = True) -> AnalysisRun:
    """Queue a run (audited) and start it in a thread once the queueing commits."""
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
            transaction.on_commit(lambda: _start_thread(run.pk))
    if not background:
        execute(run.pk)
        run.refresh_from_db()
    return run


def _start_thread(run_id: int) -> None:
    def target() -> None:
        try:
            execute(run_id)
        finally:
            close_old_connections()

    threading.Thread(target=target, name=f"csceval-run-{run_id}", daemon=True).start()


def mark_abandoned() -> int:
    """Mark runs left 'running' or 'queued' by a stopped process as failed, with a message.

    ``csceval serve`` calls it before the workers start (every run thread died with the old
    server); returns how many runs it marked."""
    return AnalysisRun.objects.filter(
        status__in=[AnalysisRun.Status.RUNNING, AnalysisRun.Status.QUEUED]
    ).update(
        status=AnalysisRun.Status.FAILED,
        step="interrupted",
        error="The server stopped during this run.",
        finished_at=timezone.now(),
    )


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
