"""The imported project's register and responses, read into the platform's tables.

:func:`sync_imported` runs before any scoping page or export reads the tables. For each of
``data/framework_register.csv`` (or, without it, the older ``data/framework_scoping.csv``,
converted) and ``data/scoping_responses.csv`` it compares the imported file's hash with the one
read last (:class:`~csceval.web.scoping.models.ImportedFile`); a new file is applied in one
audited transaction: its episodes replace the current register by new versions (unchanged rows
stay as they are, so re-importing the platform's own export changes nothing), and its responses
are added or, where an id is already held with other content, replaced by the file's.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from typing import Any

import pandas as pd
from django.db import IntegrityError, transaction

from csceval.project.register import COLUMNS, register_from_scoping
from csceval.project.tables import FRAMEWORK_REGISTER, FRAMEWORK_SCOPING
from csceval.strands.scoping.tables import SCOPING_RESPONSES
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.models import ProjectFile
from csceval.web.scoping.models import ImportedFile, ResponseOrigin, ScopingResponse
from csceval.web.scoping.register import apply_register, as_date

SYSTEM_ACTOR = "project import"
REASON = "read from the imported project"


def _rows(content: bytes) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _register_file() -> tuple[str, bytes] | None:
    """The imported register, or the older scoping table converted, or None."""
    files = dict(
        ProjectFile.objects.filter(
            path__in=[FRAMEWORK_REGISTER.file, FRAMEWORK_SCOPING.file]
        ).values_list("path", "content")
    )
    for path in (FRAMEWORK_REGISTER.file, FRAMEWORK_SCOPING.file):
        if path in files:
            return path, bytes(files[path])
    return None


def register_from_file(path: str, content: bytes) -> pd.DataFrame:
    """The register rows a project file holds (the scoping table converted)."""
    rows = _rows(content)
    if path == FRAMEWORK_SCOPING.file:
        scoping = pd.DataFrame(rows, columns=["la_code", "framework", "since_year"])
        scoping["since_year"] = pd.to_numeric(scoping["since_year"].replace("", None))
        return register_from_scoping(scoping)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.replace("", None)


def _unread(path: str, content: bytes) -> str | None:
    """The file's hash if it has not been read yet (None when it has)."""
    digest = hashlib.sha256(content).hexdigest()
    done = ImportedFile.objects.filter(path=path).values_list("sha256", flat=True).first()
    return None if done == digest else digest


def _mark(path: str, digest: str) -> None:
    ImportedFile.objects.update_or_create(path=path, defaults={"sha256": digest})


def _response_values(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {c: row.get(c, "") for c in SCOPING_RESPONSES.column_names}
    values["received"] = as_date(values["received"]) or date.today()
    values["reviewed"] = as_date(values["reviewed"])
    return values


def _sync_register() -> list[str]:
    found = _register_file()
    if found is None:
        return []
    path, content = found
    digest = _unread(path, content)
    if digest is None:
        return []
    changes = apply_register(
        actor=SYSTEM_ACTOR, new=register_from_file(path, content), reason=REASON
    )
    _mark(path, digest)
    return changes


def _sync_responses() -> list[str]:
    stored = ProjectFile.objects.filter(path=SCOPING_RESPONSES.file).first()
    if stored is None:
        return []
    content = bytes(stored.content)
    digest = _unread(SCOPING_RESPONSES.file, content)
    if digest is None:
        return []
    changes = []
    held = {r.response_id: r for r in ScopingResponse.objects.select_for_update()}
    for row in _rows(content):
        values = _response_values(row)
        old = held.get(values["response_id"])
        if old is None:
            ScopingResponse.objects.create(**values, origin=ResponseOrigin.IMPORTED)
            changes.append(f"response {values['response_id']} added")
        elif any(getattr(old, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(old, key, value)
            old.save()
            changes.append(f"response {values['response_id']} replaced")
    _mark(SCOPING_RESPONSES.file, digest)
    return changes


def sync_imported() -> None:
    """Read a newly imported register and responses into the platform (see the module)."""
    try:
        with transaction.atomic():
            changes = _sync_register() + _sync_responses()
            if changes:
                audit_record(
                    actor=SYSTEM_ACTOR,
                    action="scoping.project_read",
                    object_type="scoping",
                    object_id="register",
                    new_values={"changes": len(changes), "first": changes[:20]},
                )
    except IntegrityError:
        # Another request read the same file at the same moment; its result stands.
        return
