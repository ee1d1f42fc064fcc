"""What the platform's register and responses put into the exported project folder.

The export is the one path to the analysis: ``data/framework_register.csv`` is the current
register (so the comparator exclusions and the scoping section read what evaluators recorded
here), ``data/scoping_responses.csv`` every response held (imported, uploaded or given through
a survey link) with its review status.
"""

from __future__ import annotations

from csceval.project.register import COLUMNS
from csceval.project.tables import FRAMEWORK_REGISTER
from csceval.strands.scoping.tables import SCOPING_RESPONSES
from csceval.web.evaluation.project_io import merge_csv_rows
from csceval.web.scoping.imported import SYSTEM_ACTOR, sync_imported
from csceval.web.scoping.models import ImportedFile, RegisterEpisode, ScopingResponse
from csceval.web.scoping.register import current_episodes


def _text(value: object) -> str:
    return "" if value is None else str(value)


def register_rows() -> list[dict[str, str]]:
    """The current register as CSV rows, by LA, framework and start."""
    episodes = current_episodes().order_by("la_code", "framework", "started", "episode")
    return [{c: _text(v) for c, v in e.register_values().items()} for e in episodes]


def exported_register(imported: bytes | None) -> bytes | None:
    """``data/framework_register.csv`` from the platform's register.

    A project that had only the older scoping table keeps it (and gets no register) until an
    evaluator changes the register here.
    """
    sync_imported()
    changed_here = RegisterEpisode.objects.exclude(changed_by=SYSTEM_ACTOR).exists()
    had_register = ImportedFile.objects.filter(path=FRAMEWORK_REGISTER.file).exists()
    if imported is None and not (changed_here or had_register):
        return None
    rows = register_rows()
    return merge_csv_rows(None, COLUMNS, (), rows) or _header(COLUMNS)


def exported_responses(imported: bytes | None) -> bytes | None:
    """``data/scoping_responses.csv``: every response held, by id."""
    sync_imported()
    rows = [
        {c: _text(v) for c, v in r.row().items()}
        for r in ScopingResponse.objects.order_by("response_id")
    ]
    return merge_csv_rows(None, SCOPING_RESPONSES.column_names, ("response_id",), rows)


def _header(columns: tuple[str, ...]) -> bytes:
    return (",".join(columns) + "\n").encode("utf-8")
