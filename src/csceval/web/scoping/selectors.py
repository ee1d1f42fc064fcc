"""Reads for the scoping pages: the LAs, the register as at a day, the map, survey progress.

The LA list is the project's LA reference (``data/local_authorities.csv``, reorganisations
included); "as at" reads the dates of use, as :func:`csceval.project.register.register_as_at`
does, and the LAs shown are those that exist in the year (ending 31 March) holding the day.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pandas as pd

from csceval.project.register import period_end, register_as_at
from csceval.strands.scoping.analysis import NONE, categories_of, las_as_at
from csceval.strands.scoping.hexes import alive
from csceval.strands.scoping.map_svg import render_map
from csceval.strands.scoping.survey import progress_by_region, reminders
from csceval.strands.scoping.tables import LA_HEXES, SCOPING_RESPONSES
from csceval.web.evaluation.models import EvaluationSetup, LocalAuthority, ProjectFile
from csceval.web.scoping.models import ScopingResponse
from csceval.web.scoping.register import register_frame


def year_of(day: date) -> int:
    """The year ending 31 March that holds ``day``."""
    return day.year + 1 if day.month >= 4 else day.year


def last_year() -> int | None:
    """The evaluation's last analysis year (None before it is set up)."""
    setup = EvaluationSetup.current()
    if setup is None:
        return None
    year = setup.settings_json.get("periods", {}).get("last_year")
    return int(year) if year is not None else None


def default_day() -> date:
    """The end of the analysis period (today before the evaluation is set up)."""
    year = last_year()
    return period_end(year) if year is not None else date.today()


def evaluation_frameworks() -> list[str]:
    """The evaluation's framework names (for the survey's choices and the exclusions)."""
    setup = EvaluationSetup.current()
    if setup is None:
        return []
    return list(setup.settings_json.get("evaluation", {}).get("frameworks", []))


def las_frame() -> pd.DataFrame:
    """The LA reference: ``la_code, la_name, region_name, first_year, last_year``."""
    rows = LocalAuthority.objects.values_list(
        "la_code", "la_name", "region_name", "first_year", "last_year"
    )
    frame = pd.DataFrame(
        list(rows), columns=["la_code", "la_name", "region_name", "first_year", "last_year"]
    )
    frame["last_year"] = frame["last_year"].astype("Int64")
    return frame


@dataclass(frozen=True)
class RegisterView:
    """Every LA existing in ``year`` with the episodes the register has for it on ``day``."""

    day: date
    year: int
    history: bool
    rows: list[dict[str, object]]
    """One per LA: ``la_code, la_name, region_name, episodes`` (list of register rows)."""

    @property
    def recorded(self) -> int:
        return sum(1 for r in self.rows if r["episodes"])


def alive_codes(year: int) -> set[str]:
    """The LAs that exist in the year ending 31 March ``year``."""
    return alive(las_frame(), year)


def register_view(day: date, *, history: bool = False) -> RegisterView:
    """The register as at ``day`` (with ``history``: also episodes that ended before it)."""
    year = year_of(day)
    las = las_frame()
    shown = las[las["la_code"].isin(alive(las, year))].sort_values(["region_name", "la_name"])
    view = register_as_at(register_frame(), day, history=history)
    by_la: dict[str, list[dict[str, object]]] = {}
    for row in view.sort_values(["framework"]).to_dict("records"):
        by_la.setdefault(str(row["la_code"]), []).append({str(k): v for k, v in row.items()})
    rows: list[dict[str, object]] = [
        {"la_code": c, "la_name": n, "region_name": g, "episodes": by_la.get(c, [])}
        for c, n, g in zip(shown["la_code"], shown["la_name"], shown["region_name"], strict=True)
    ]
    return RegisterView(day, year, history, rows)


def framework_users_as_at(day: date, frameworks: list[str]) -> set[str]:
    """LAs the as-at view (with history) shows with one of ``frameworks``: the LAs the analysis
    keeps out of comparators (:func:`csceval.project.register.framework_users`)."""
    wanted = {f.casefold() for f in frameworks}
    return {
        str(row["la_code"])
        for row in register_view(day, history=True).rows
        for episode in row["episodes"]  # type: ignore[attr-defined]
        if str(episode["framework"]).casefold() in wanted
    }


def hexes_frame() -> pd.DataFrame | None:
    """The project's hex layout (``data/la_hexes.csv``), or None."""
    stored = ProjectFile.objects.filter(path=LA_HEXES.file).first()
    if stored is None:
        return None
    frame = pd.read_csv(io.BytesIO(bytes(stored.content)), dtype={"la_code": str, "label": str})
    return frame[["la_code", "q", "r", "label"]]


@dataclass(frozen=True)
class MapView:
    """The map of one year, its LAs and their counts."""

    year: int
    las: pd.DataFrame
    svg: str | None
    by_region: pd.DataFrame
    by_framework: pd.DataFrame


def map_view(year: int) -> MapView:
    """The hex map of the LAs of ``year`` with the frameworks in use on its last day."""
    las = las_as_at(register_frame(), las_frame(), period_end(year), year)
    categories = categories_of(las)
    hexes = hexes_frame()
    title = f"Practice frameworks of England's LAs as at 31 March {year}"
    svg = render_map(las, hexes, categories, title, "scoping-map") if hexes is not None else None
    table = pd.crosstab(las["region_name"], las["category"])
    table = table.reindex(columns=list(categories), fill_value=0)
    if len(las):  # before a project is imported there are no LAs to count
        table.loc["England"] = table.sum()
    table["All LAs"] = table.sum(axis=1)
    used = [f.split("; ") for f in las["frameworks"].astype(str)]
    names = sorted({n for parts in used for n in parts if n})
    counts = pd.DataFrame(
        [(n, sum(n in parts for parts in used)) for n in names], columns=["framework", "las"]
    ).sort_values(["las", "framework"], ascending=[False, True])
    none = int((las["category"] == NONE).sum())
    counts = pd.concat([counts, pd.DataFrame([{"framework": NONE, "las": none}])])
    return MapView(year, las, svg, table.rename_axis("region").reset_index(), counts)


def responses_frame() -> pd.DataFrame:
    """Every response held, as the strand's ``scoping_responses`` table."""
    rows = [r.row() for r in ScopingResponse.objects.all()]
    return pd.DataFrame(rows, columns=list(SCOPING_RESPONSES.column_names))


@dataclass(frozen=True)
class SurveyView:
    year: int
    progress: pd.DataFrame
    reminders: pd.DataFrame


def survey_view() -> SurveyView:
    """Progress by region and the LAs to remind, over the LAs of the analysis' last year."""
    year = last_year() or year_of(date.today())
    las = las_frame()
    current = las[las["la_code"].isin(alive(las, year))][["la_code", "la_name", "region_name"]]
    responses = responses_frame()
    if current.empty:  # before a project is imported
        progress = pd.DataFrame(
            columns=["region", "las", "responded", "accepted", "awaiting_review", "response_rate"]
        )
        return SurveyView(year, progress, current)
    return SurveyView(year, progress_by_region(current, responses), reminders(current, responses))
