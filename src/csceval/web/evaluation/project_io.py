"""The round trip between the database and an evaluation project folder.

``import_project`` accepts only a project that :func:`csceval.project.load_project` accepts
(every problem reported, nothing stored otherwise) and replaces the database's evaluation in one
transaction. It reads nothing outside the project folder: a symbolic link anywhere in it, or a
file above ``MAX_OTHER_FILE_BYTES``, refuses the import (CSC-E6053). Sites are updated in
place by LA code, so re-importing a project into a platform in use keeps the LAs' returns,
self-profiles and case samples; a site those hold cannot be dropped by the new project, and the
import says which (CSC-E6054) instead of deleting anything.

The set-up keeps all of ``evaluation.toml`` but its sites as JSON (so ``[comparators]``, the
baseline and follow-up windows and every later setting survive); each site's ``adoption_source``
and each neighbour row's ``model`` are columns.

``export_project`` writes the folder back: ``evaluation.toml`` from the set-up and sites, the
reference tables and indicator values as CSV in their declared column order (text cells safe
in a spreadsheet), approved pilot returns merged into the indicators, and every other project
file verbatim; whole or not at all (``write_project``: staged aside, ``manifest.json`` last,
renamed into place; an import skips that manifest).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from csceval.atomic import MANIFEST, output_problems, staged_folder
from csceval.errors import InputError, Problem
from csceval.pipeline import load_project
from csceval.project.load import SETTINGS_FILE
from csceval.project.settings import EvaluationSettings
from csceval.project.settings import Site as SiteSettings
from csceval.project.tables import (
    INDICATORS,
    LOCAL_AUTHORITIES,
    REORGANISATIONS,
    STATISTICAL_NEIGHBOURS,
)
from csceval.project.toml_write import settings_to_toml
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.models import (
    EvaluationSetup,
    IndicatorValue,
    LocalAuthority,
    ProjectFile,
    Reorganisation,
    Site,
    StatisticalNeighbour,
)
from csceval.web.exports.safe_cells import safe_cell
from csceval.web.security.contained import contained_files

_STRUCTURED = {
    SETTINGS_FILE,
    LOCAL_AUTHORITIES.file,
    STATISTICAL_NEIGHBOURS.file,
    REORGANISATIONS.file,
    INDICATORS.file,
}
_SITE_FIELDS = (
    "la_code",
    "name",
    "role",
    "framework",
    "implementation_start",
    "fully_embedded",
    "exit_date",
    "neighbour_group",
    "adoption_source",
)


@dataclass(frozen=True)
class ImportSummary:
    sites: int
    local_authorities: int
    indicator_values: int
    other_files: int

    def lines(self) -> list[str]:
        return [
            f"Imported {self.sites} sites, {self.local_authorities} LAs, "
            f"{self.indicator_values} indicator values and {self.other_files} other files."
        ]


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _other_files(root: Path) -> Iterable[tuple[str, bytes]]:
    for path in contained_files(root):
        relative = path.relative_to(root).as_posix()
        if relative not in _STRUCTURED and relative != MANIFEST:  # an export's own manifest
            yield relative, path.read_bytes()


def _site_fields(site: SiteSettings) -> dict[str, Any]:
    """A site's settings as model fields (text fields hold '' rather than None)."""
    fields = {f: getattr(site, f) for f in _SITE_FIELDS}
    for text_field in ("framework", "neighbour_group", "adoption_source"):
        fields[text_field] = fields[text_field] or ""
    return fields


def _int_or_none(text: str) -> int | None:
    return int(text) if text else None


@transaction.atomic
def import_project(root: Path, *, actor: str) -> ImportSummary:
    """Replace the database's evaluation with the project folder ``root``.

    Raises :class:`~csceval.errors.InputError` (nothing stored) when the project is invalid.
    """
    contained_files(root)  # before anything is read: no links, nothing outside the folder
    project = load_project(root)  # all-or-nothing validation, every problem coded
    setup_json = project.settings.model_dump(mode="json", exclude={"sites"})
    _replace_sites(project.settings.sites)
    for model in (
        LocalAuthority,
        StatisticalNeighbour,
        Reorganisation,
        IndicatorValue,
        ProjectFile,
        EvaluationSetup,
    ):
        model.objects.all().delete()
    EvaluationSetup.objects.create(settings_json=setup_json)
    las = _rows(root / LOCAL_AUTHORITIES.file)
    LocalAuthority.objects.bulk_create(
        LocalAuthority(
            la_code=r["la_code"],
            gss_code=r["gss_code"],
            la_name=r["la_name"],
            region_code=r["region_code"],
            region_name=r["region_name"],
            first_year=int(r["first_year"]),
            last_year=_int_or_none(r.get("last_year", "")),
            neighbour_group=r.get("neighbour_group", ""),
        )
        for r in las
    )
    StatisticalNeighbour.objects.bulk_create(
        StatisticalNeighbour(
            la_code=r["la_code"],
            rank=int(r["rank"]),
            neighbour_code=r["neighbour_code"],
            closeness=r.get("closeness", ""),
            model=r.get("model", ""),
        )
        for r in _rows(root / STATISTICAL_NEIGHBOURS.file)
    )
    Reorganisation.objects.bulk_create(
        Reorganisation(
            year=int(r["year"]),
            old_la_code=r["old_la_code"],
            new_la_code=r["new_la_code"],
            kind=r["kind"],
        )
        for r in _rows(root / REORGANISATIONS.file)
    )
    indicators = _rows(root / INDICATORS.file)
    IndicatorValue.objects.bulk_create(
        (
            IndicatorValue(
                la_code=r["la_code"],
                year=int(r["year"]),
                indicator=r["indicator"],
                value=r["value"],
            )
            for r in indicators
        ),
        batch_size=2000,
    )
    others = list(_other_files(root))
    ProjectFile.objects.bulk_create(
        ProjectFile(path=p, content=content, sha256=hashlib.sha256(content).hexdigest())
        for p, content in others
    )
    summary = ImportSummary(len(project.settings.sites), len(las), len(indicators), len(others))
    audit_record(
        actor=actor,
        action="project.import",
        object_type="evaluation",
        object_id=project.settings.evaluation.name[:64],
        new_values={
            "sites": summary.sites,
            "local_authorities": summary.local_authorities,
            "indicator_values": summary.indicator_values,
            "other_files": [p for p, _ in others],
            "inputs": project.input_files(),
        },
    )
    return summary


def _held_by(site: Site) -> dict[str, int]:
    """What the platform holds for ``site`` that a deletion would destroy (returns,
    self-profiles, case samples: every relation to Site), by relation name."""
    held = {}
    for relation in Site._meta.related_objects:
        count = getattr(site, relation.get_accessor_name() or "").count()
        if count:
            held[relation.get_accessor_name() or relation.name] = count
    return held


def _replace_sites(sites: Sequence[SiteSettings]) -> None:
    """Make the stored sites those of ``sites``: update by LA code, add new ones, delete the
    rest; refuse (CSC-E6054, nothing changed) when a site to delete holds the LA's data."""
    wanted = {site.la_code: _site_fields(site) for site in sites}
    dropped = Site.objects.exclude(la_code__in=list(wanted))
    problems = [
        Problem(
            "CSC-E6054",
            f"the project no longer lists site {site.la_code} ({site.name}), which holds "
            + ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in held.items()),
            file="evaluation.toml",
            value=site.la_code,
            fix="keep the site in the project's [[sites]] (its role may change), or remove its "
            "data in the platform first",
        )
        for site in dropped
        if (held := _held_by(site))
    ]
    if problems:
        raise InputError(problems)
    dropped.delete()
    for la_code, fields in wanted.items():
        Site.objects.update_or_create(la_code=la_code, defaults=fields)


def current_settings() -> EvaluationSettings | None:
    """The set-up and sites as :class:`EvaluationSettings` (None before anything is set up)."""
    setup = EvaluationSetup.current()
    if setup is None:
        return None
    sites = [
        {f: v for f in _SITE_FIELDS if (v := getattr(site, f)) not in (None, "")}
        for site in Site.objects.all()
    ]
    return EvaluationSettings.model_validate({**setup.settings_json, "sites": sites})


def _csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return buffer.getvalue()


def indicator_rows(
    extra: Iterable[tuple[str, int, str, str]] = (),
) -> list[tuple[str, int, str, str]]:
    """Stored indicator values, with ``extra`` rows (approved returns) replacing same keys."""
    rows = {
        (v.la_code, v.year, v.indicator): v.value
        for v in IndicatorValue.objects.all().iterator(chunk_size=5000)
    }
    for la_code, year, indicator, value in extra:
        rows[(la_code, year, indicator)] = value
    return [(k[0], k[1], k[2], value) for k, value in sorted(rows.items())]


IndicatorSource = Callable[[], Iterable[tuple[str, int, str, str]]]
"""``() -> (la_code, year, indicator, value)`` rows, e.g. the approved pilot returns."""

_indicator_sources: list[IndicatorSource] = []


def register_indicator_source(source: IndicatorSource) -> None:
    """Let an app add indicator values to every export and analysis snapshot."""
    if source not in _indicator_sources:
        _indicator_sources.append(source)


def project_files() -> dict[str, bytes]:
    """Every file of the project folder the database holds, by relative path, with what the
    registered sources add (approved returns' values and cost lines, self-profiles, audits)."""
    settings = current_settings()
    if settings is None:
        raise LookupError("the evaluation has not been set up yet")
    # Values for years outside the analysis period (e.g. a return for a year not yet in the
    # plan) wait in the database until the period is extended; they are not analysed.
    first, last = settings.periods.first_year, settings.periods.last_year
    extra_indicators = [
        row for source in _indicator_sources for row in source() if first <= row[1] <= last
    ]
    files: dict[str, bytes] = {
        SETTINGS_FILE: settings_to_toml(
            settings, header="Written by csceval export-project from the web platform."
        ).encode("utf-8"),
        LOCAL_AUTHORITIES.file: _csv_text(
            LOCAL_AUTHORITIES.column_names,
            (
                (
                    la.la_code,
                    la.gss_code,
                    la.la_name,
                    la.region_code,
                    la.region_name,
                    la.first_year,
                    la.last_year,
                    la.neighbour_group,
                )
                for la in LocalAuthority.objects.all()
            ),
        ).encode("utf-8"),
        STATISTICAL_NEIGHBOURS.file: _csv_text(
            STATISTICAL_NEIGHBOURS.column_names,
            (
                (n.la_code, n.rank, n.neighbour_code, n.closeness, n.model)
                for n in StatisticalNeighbour.objects.all()
            ),
        ).encode("utf-8"),
        INDICATORS.file: _csv_text(
            INDICATORS.column_names, indicator_rows(extra_indicators)
        ).encode("utf-8"),
    }
    if Reorganisation.objects.exists():
        files[REORGANISATIONS.file] = _csv_text(
            REORGANISATIONS.column_names,
            ((r.year, r.old_la_code, r.new_la_code, r.kind) for r in Reorganisation.objects.all()),
        ).encode("utf-8")
    for other in ProjectFile.objects.all():
        files[other.path] = bytes(other.content)
    for relative, merge in _table_sources.items():
        merged = merge(files.get(relative))
        if merged is not None:
            files[relative] = merged
    return files


TableSource = Callable[[bytes | None], bytes | None]
"""``(the imported file or None) -> the file to export (None: leave it as it is)``."""

_table_sources: dict[str, TableSource] = {}


def register_table_source(relative: str, source: TableSource) -> None:
    """Let an app merge what it collected into a project file (e.g. data/self_profiles.csv)."""
    _table_sources[relative] = source


def merge_csv_rows(
    imported: bytes | None,
    header: Sequence[str],
    key: Sequence[str],
    rows: Iterable[dict[str, str]],
) -> bytes | None:
    """The imported CSV with ``rows`` added, replacing imported rows with the same key."""
    collected = list(rows)
    if imported is None and not collected:
        return None
    existing = list(csv.DictReader(io.StringIO(imported.decode("utf-8-sig")))) if imported else []
    replaced = {tuple(row[k] for k in key) for row in collected}
    kept = [row for row in existing if tuple(row.get(k, "") for k in key) not in replaced]
    return _csv_text(
        header, ([row.get(c, "") for c in header] for row in [*kept, *collected])
    ).encode("utf-8")


def write_project(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into the folder ``out``, whole or not at all.

    The folder is written aside, ``manifest.json`` (every file's SHA-256) last, and renamed
    into place (:func:`csceval.atomic.staged_folder`): a kill leaves the old folder or none.
    ``out`` must be absent, empty or an earlier export (replaced whole, no stale files);
    otherwise FileExistsError.
    """
    problems = output_problems(out)
    if problems:
        raise FileExistsError(f"{out}: {problems[0].message}")
    with staged_folder(out) as staging:
        for relative, content in files.items():
            if relative == MANIFEST:
                continue  # the manifest is written last, over every file
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
