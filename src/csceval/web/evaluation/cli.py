"""``csceval export-project`` and ``csceval import-project``: the database <-> a project folder."""

from __future__ import annotations

from pathlib import Path

import click

from csceval.errors import InputError, Problem
from csceval.terminal import fail
from csceval.terminal import out as console


@click.command("export-project")
@click.argument("out", type=click.Path(path_type=Path))
def export_project(out: Path) -> None:
    """Write the web platform's evaluation out as a project folder OUT (new or empty)."""
    from csceval.web.cli import require_migrated, setup_django

    setup_django()
    require_migrated()
    from django.db import transaction

    from csceval.project import validate_project
    from csceval.web.audit_trail.services import audit_record
    from csceval.web.evaluation.project_io import project_files, write_project

    try:
        files = project_files()
    except LookupError:
        fail(
            Problem(
                "CSC-E6052",
                "The web platform's evaluation has not been set up yet.",
                fix="Set it up in the web platform or run `csceval import-project` first.",
            )
        )
    try:
        write_project(out, files)
    except (FileExistsError, OSError) as exc:
        fail(
            Problem(
                "CSC-E6051",
                f"Cannot write the project folder: {exc}",
                file=str(out),
                fix="Give a new or empty folder.",
            )
        )
    with transaction.atomic():
        audit_record(
            actor="cli",
            action="project.export",
            object_type="evaluation",
            new_values={"folder": str(out.resolve()), "files": sorted(files)},
        )
    problems = validate_project(out)
    console.print(f"Wrote {len(files)} files to {out}.", markup=False)
    if problems:
        fail(*problems)
    console.print("The exported project is valid: `csceval run` can analyse it.", markup=False)


@click.command("import-project")
@click.argument("project", type=click.Path(path_type=Path))
def import_project(project: Path) -> None:
    """Load the project folder PROJECT into the web platform (replaces its evaluation)."""
    from csceval.web.cli import require_migrated, setup_django

    setup_django()
    require_migrated()
    from csceval.web.evaluation.project_io import import_project as do_import

    try:
        summary = do_import(project, actor="cli")
    except InputError as exc:
        fail(*exc.problems)
    for line in summary.lines():
        console.print(line, markup=False)
