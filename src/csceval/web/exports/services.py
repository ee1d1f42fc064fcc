"""Making an export: authorise, scope, protect or de-identify, write, record and audit.

An export is a zip holding the data file (CSV, XLSX, .sav or .dta), ``codebook.csv`` and a
``README.txt`` saying what it is, who made it, when, for which LAs, its de-identification level
and the stated purpose. Rows are limited to the user's LAs for the export verb
(:func:`csceval.web.permissions.scoped_la_codes`). Aggregate datasets pass through
:func:`csceval.disclosure.protect` with the evaluation's disclosure policy; row-level datasets need
``export.rowlevel`` and a purpose (SEC-F2), and may be de-identified (SEC-E3). The export record
and its audit event ``export.create`` (what, scope, de-identification level, purpose; SEC-D1)
are written in one transaction; on the web this runs in the background worker
(:mod:`csceval.web.exports.jobs`), and each download is audited again.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from csceval.disclosure import DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.errors import InputError, Problem
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.models import EvaluationSetup, Site
from csceval.web.exports import writers
from csceval.web.exports.deidentify import deidentify
from csceval.web.exports.models import ExportRecord
from csceval.web.exports.registry import Dataset, Level, Privacy, VarType
from csceval.web.permissions import Verb, authorize, scoped_la_codes

MIN_PURPOSE_CHARS = 10
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ExportFile:
    filename: str
    data: bytes
    record: ExportRecord


def verb_for(ds: Dataset) -> Verb:
    return Verb.EXPORT_ROWLEVEL if ds.level is Level.ROWLEVEL else Verb.EXPORT_AGGREGATE


def disclosure_policy() -> DisclosurePolicy:
    """The evaluation's policy from its settings (the defaults before it is set up)."""
    setup = EvaluationSetup.current()
    options = (setup.settings_json or {}).get("disclosure", {}) if setup else {}
    return DisclosurePolicy(**options)


def deidentification_level(ds: Dataset, deidentified: bool) -> str:
    if ds.level is Level.AGGREGATE:
        return "disclosure-controlled aggregate"
    return "de-identified" if deidentified else "identifiable row-level"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def check_request(ds: Dataset, fmt: str, purpose: str) -> str:
    """The purpose, trimmed; raises InputError for a missing purpose or an unknown format."""
    purpose = purpose.strip()
    problems = []
    if fmt not in writers.FORMATS:
        problems.append(
            Problem("CSC-E6131", f"Choose a format: {', '.join(writers.FORMATS)}", value=fmt)
        )
    if ds.level is Level.ROWLEVEL and len(purpose) < MIN_PURPOSE_CHARS:
        problems.append(
            Problem(
                "CSC-E6132",
                f"Say what the row-level data is for (at least {MIN_PURPOSE_CHARS} characters)",
            )
        )
    if problems:
        raise InputError(problems)
    return purpose


Progress = Callable[[str, float], None]


def _quiet(step: str, fraction: float) -> None:
    """No progress to report (an export made in the request, or in a test)."""


def export_dataset(
    *,
    actor: Any,
    ds: Dataset,
    fmt: str,
    deidentified: bool,
    purpose: str,
    progress: Progress = _quiet,
    deliver: Callable[[ExportFile], None] | None = None,
) -> ExportFile:
    """Build, record and audit one export; raises InputError for a missing purpose or format.
    ``progress(step, fraction)`` hears where it is (the job shows it). ``deliver`` (the job's
    file write and its row's "done") runs in the transaction that records and audits the
    export, so an export is recorded if and only if it was delivered: an error or a killed
    process before the commit leaves no record, and a retried job no second one."""
    verb = verb_for(ds)
    authorize(actor, verb)
    purpose = check_request(ds, fmt, purpose)
    progress("reading the rows", 0.1)
    scope = scoped_la_codes(actor, verb, Site.objects.values_list("la_code", flat=True))
    frame = ds.build(scope).reset_index(drop=True)
    variables = list(ds.variables)
    notes: dict[str, str] = {}
    if ds.level is Level.AGGREGATE:
        deidentified = False
        spec = TableSpec(
            columns=tuple(PublishedColumn(v.name, v.label, v.role, unit=v.unit) for v in variables)
        )
        frame = protect(frame, spec, disclosure_policy()).cells
        for v in variables:
            if v.type in (VarType.NUMBER, VarType.INTEGER):
                notes[v.name] = (
                    "Disclosure control: c = suppressed small count, k = rounds to 0, "
                    "x = not available, z = not applicable (system-missing in .sav/.dta)."
                )
    elif deidentified:
        frame = deidentify(frame, ds)
        variables = [v for v in variables if v.privacy is not Privacy.FREE_TEXT]
        for v in variables:
            if v.privacy is Privacy.IDENTIFIER:
                notes[v.name] = "Replaced by a hash valid within this export only."
            elif v.privacy is Privacy.DATE:
                notes[v.name] = "Shifted by a per-record offset (intervals kept)."
    now = timezone.now()
    level = deidentification_level(ds, deidentified)
    progress(f"writing the {fmt} file", 0.5)
    data = writers.write(fmt, frame, variables, ds.title, notes)
    stem = f"{ds.id}-{now:%Y%m%d-%H%M%S}"
    readme = "\n".join(
        [
            f"{ds.title}",
            f"{ds.description}",
            "",
            f"Exported by {actor.get_username()} at {now.isoformat(timespec='seconds')}",
            f"LAs: {', '.join(scope) or 'none'}",
            f"Rows: {len(frame)}",
            f"Level: {level}",
            f"Purpose: {purpose or '(aggregate export)'}",
            "",
            "Keep this file within the evaluation's data-sharing agreement.",
        ]
    )
    progress("packing the zip", 0.8)
    bundle = _zip(
        {
            f"{stem}.{fmt}": data,
            "codebook.csv": writers.codebook_csv(variables, notes),
            "README.txt": (readme + "\n").encode("utf-8"),
        }
    )
    with transaction.atomic():
        record = ExportRecord.objects.create(
            user=actor,
            username=actor.get_username(),
            dataset=ds.id,
            level=ds.level.value,
            file_format=fmt,
            deidentified=deidentified,
            purpose=purpose,
            la_codes=list(scope),
            rows=len(frame),
            sha256=hashlib.sha256(bundle).hexdigest(),
        )
        audit_record(
            actor=actor.get_username(),
            action="export.create",
            object_type="export",
            object_id=str(record.pk),
            new_values={**record.audit_values(), "deidentification": level},
        )
        made = ExportFile(f"{stem}.zip", bundle, record)
        if deliver is not None:
            deliver(made)
    return made
