"""``csceval survey``: score a survey, import answers from survey tools, write the open form.

Options keep the shared names and meanings of ``csceval.cli.options`` (``--out``, ``--json``);
strands may not import the CLI package, so they are declared here with the same help.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import pandas as pd

from csceval.atomic import write_file
from csceval.errors import InputError, Problem
from csceval.strands.culture_survey.aggregation import (
    scale_aggregation,
    team_agreement,
)
from csceval.strands.culture_survey.imports import Mapping, import_responses, read_export
from csceval.strands.culture_survey.instrument import Instrument, default_instrument
from csceval.strands.culture_survey.scoring import items_wide, subscale_scores
from csceval.strands.culture_survey.xlsform import default_xlsform, read_xlsform
from csceval.terminal import fail, out, print_json, reported

MAX_INSTRUMENT_BYTES = 5_000_000
F = TypeVar("F", bound=Callable[..., Any])

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the full result as JSON on stdout (for scripts)."
)


def out_option(help_text: str) -> Callable[[F], F]:
    """``--out PATH`` (parameter ``out_path``), as csceval.cli.options.out_option."""
    return click.option(
        "--out", "out_path", required=True, type=click.Path(path_type=Path), metavar="PATH",
        help=help_text,
    )  # fmt: skip


instrument_option = click.option(
    "--instrument",
    "instrument_path",
    type=click.Path(path_type=Path),
    default=None,
    show_default="csceval's open team-climate form",
    help="The instrument (the form the answers were collected with) as an XLSForm workbook.",
)


def _instrument(path: Path | None) -> Instrument:
    if path is None:
        return default_instrument()
    try:
        size = path.stat().st_size
        if size > MAX_INSTRUMENT_BYTES:
            fail(Problem("CSC-E3401", "The instrument is too large.", file=str(path)))
        data = path.read_bytes()
    except OSError as error:
        fail(
            Problem("CSC-E3401", f"Cannot read the instrument ({error.strerror}).", file=str(path))
        )
    with reported():
        return read_xlsform(data, str(path))
    raise AssertionError("unreachable: reported() exits on an InputError")


def _number(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) and math.isfinite(value) else "n/a"


@click.group(name="survey")
def survey() -> None:
    """Team culture and climate surveys: score answers, import exports, write the form."""


@survey.command(name="score")
@click.argument("responses", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@instrument_option
@click.option(
    "--group",
    default="team",
    show_default=True,
    help="Column to aggregate by: team (site and team) or any column of the table.",
)
@json_option
def score(responses: Path, instrument_path: Path | None, group: str, as_json: bool) -> None:
    """Per subscale of RESPONSES (a survey_responses CSV): mean, alpha, omega, r_wg(j), ICCs."""
    instrument = _instrument(instrument_path)
    with reported():
        frame = read_export(responses.read_bytes(), str(responses))
    needed = {"response_id", "item", "value", "time_point", "la_code", "team"}
    missing = sorted(needed - set(frame.columns))
    if missing or (group != "team" and group not in frame.columns):
        fail(
            Problem(
                "CSC-E3432",
                "The responses lack a needed column.",
                file=str(responses),
                column=", ".join(missing) or group,
                fix="Use the survey_responses layout (csceval survey import makes it).",
            )
        )
    frame = frame.replace({"": None})
    wide = items_wide(frame, instrument)
    if group not in ("team", "la_code", "time_point"):
        wide[group] = (
            frame.groupby("response_id")[group].first().reindex(wide["response_id"]).to_numpy()
        )
    scores = subscale_scores(wide, instrument)
    if group not in scores:
        scores[group] = wide[group]
    teams = team_agreement(wide, scores, instrument, group)
    stats = scale_aggregation(wide, scores, instrument, teams, group)
    rows = [
        {
            "subscale": a.subscale,
            "time_point": a.time_point,
            "items": a.n_items,
            "respondents": a.n_respondents,
            "groups": a.n_teams,
            "mean": float(scores.loc[scores["time_point"] == a.time_point, a.subscale].mean()),
            "alpha": a.alpha,
            "omega": a.omega,
            "rwg_j_mean": a.rwg_mean,
            "rwg_j_median": a.rwg_median,
            "icc1": a.icc1,
            "icc2": a.icc2,
            "reading": a.reading,
        }
        for a in stats
    ]
    if as_json:
        print_json({"instrument": instrument.id, "group": group, "subscales": rows})
        return
    table = pd.DataFrame(rows)
    for row in rows:
        cells = ", ".join(
            f"{k} {_number(row[k])}"
            for k in ("mean", "alpha", "omega", "rwg_j_mean", "rwg_j_median", "icc1", "icc2")
        )
        out.print(
            f"{row['subscale']} ({row['time_point']}, {row['respondents']} respondents, "
            f"{row['groups']} groups): {cells}; {row['reading']}",
            markup=False,
        )
    if table.empty:
        out.print("No scored answers.", markup=False)


@survey.command(name="import")
@click.argument("export", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@instrument_option
@click.option(
    "--layout",
    type=click.Choice(["kobo", "wide"]),
    default="kobo",
    show_default=True,
    help="kobo: KoboToolbox/ODK export; wide: one row per respondent, a column per question.",
)
@click.option("--team-column", default="team", show_default=True, help="Column naming the team.")
@click.option(
    "--site-column",
    default="site",
    show_default=True,
    help="Column holding the site's LA code (unless --site is given).",
)
@click.option(
    "--time-column",
    default="time_point",
    show_default=True,
    help="Column holding the time point (unless --time-point is given).",
)
@click.option("--site", default="", show_default=True, help="LA code of every row.")
@click.option("--time-point", default="", show_default=True, help="Time point of every row.")
@out_option("Where to write the survey_responses CSV.")
def import_command(
    export: Path,
    instrument_path: Path | None,
    layout: str,
    team_column: str,
    site_column: str,
    time_column: str,
    site: str,
    time_point: str,
    out_path: Path,
) -> None:
    """Turn a survey tool's EXPORT (CSV or XLSX) into data/survey_responses.csv rows."""
    instrument = _instrument(instrument_path)
    mapping = Mapping(team_column, site_column, time_column, site, time_point, layout)
    try:
        frame = import_responses(export.read_bytes(), str(export), instrument, mapping)
    except InputError as error:
        fail(*error.problems)
    write_file(out_path, frame.to_csv(index=False, lineterminator="\n").encode())
    out.print(
        f"{frame['response_id'].nunique()} responses ({len(frame)} answers) written to {out_path}",
        markup=False,
    )


@survey.command(name="form")
@out_option("Where to write the XLSForm workbook (.xlsx).")
def form(out_path: Path) -> None:
    """Write csceval's open team-climate instrument as an XLSForm (KoboToolbox layout)."""
    write_file(out_path, default_xlsform())
    out.print(f"Instrument written to {out_path}", markup=False)
