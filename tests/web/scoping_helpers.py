"""Scoping test helpers: the demo project's set-up, LA reference and scoping files put into the
platform's tables directly (fast), as ``import_project`` stores them; and a signed-in client."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from csceval.project.load import load_settings
from csceval.web.evaluation.models import EvaluationSetup, LocalAuthority, ProjectFile, Site
from csceval.web.evaluation.project_io import _site_fields

FILES = ("data/framework_register.csv", "data/la_hexes.csv", "data/scoping_responses.csv")


def load_scoping(project: Path, *, files: tuple[str, ...] = FILES) -> None:
    """The evaluation set-up and sites, the LAs and the scoping files of ``project``."""
    settings, _ = load_settings(project)
    assert settings is not None
    EvaluationSetup.objects.create(
        settings_json=settings.model_dump(mode="json", exclude={"sites"})
    )
    for site in settings.sites:
        Site.objects.create(**_site_fields(site))
    with (project / "data" / "local_authorities.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    LocalAuthority.objects.bulk_create(
        LocalAuthority(
            la_code=r["la_code"], gss_code=r["gss_code"], la_name=r["la_name"],
            region_code=r["region_code"], region_name=r["region_name"],
            first_year=int(r["first_year"]),
            last_year=int(r["last_year"]) if r["last_year"] else None,
        )
        for r in rows
    )  # fmt: skip
    for name in files:
        content = (project / name).read_bytes()
        ProjectFile.objects.create(
            path=name, content=content, sha256=hashlib.sha256(content).hexdigest()
        )
