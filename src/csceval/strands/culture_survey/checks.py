"""Rules across the survey responses and evaluation.toml (sites, time points, duplicates)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from csceval.errors import Problem
from csceval.project import EvaluationSettings
from csceval.strands.culture_survey.tables import SURVEY_RESPONSES

FILE = SURVEY_RESPONSES.file
MAX_LISTED = 20


def check_survey_tables(
    settings: EvaluationSettings, tables: Mapping[str, pd.DataFrame]
) -> list[Problem]:
    """CSC-E3421 (unknown site or time point) and CSC-E3422 (duplicated answers or ids)."""
    frame = tables.get("survey_responses")
    if frame is None or frame.empty:
        return []
    sites = {s.la_code for s in settings.sites}
    time_points = {t.id for t in settings.periods.time_points}
    problems: list[Problem] = []
    rows = frame.reset_index(drop=True)
    bad_site = ~rows["la_code"].isin(sites)
    bad_time = (
        ~bad_site & ~rows["time_point"].isin(time_points) if time_points else bad_site & False
    )
    rules = (
        (bad_site, "la_code", "The LA is not a site in evaluation.toml.",
         "Add the site to evaluation.toml or correct the code."),
        (bad_time, "time_point", "The time point is not in evaluation.toml.",
         f"Use one of: {', '.join(sorted(time_points))}."),
    )  # fmt: skip
    for mask, column, message, fix in rules:
        for index, value in rows.loc[mask, column].head(MAX_LISTED).items():
            problems.append(Problem("CSC-E3421", message, file=FILE, row=int(str(index)) + 2,
                                    column=column, value=str(value), fix=fix))  # fmt: skip
    twice = rows[rows.duplicated(["response_id", "item"], keep="first")]
    for index, row in twice.head(MAX_LISTED).iterrows():
        problems.append(
            Problem(
                "CSC-E3422",
                "This response answers the item twice.",
                file=FILE,
                row=int(str(index)) + 2,
                column="item",
                value=str(row["item"]),
                fix="Keep one answer per response and item.",
            )
        )
    places = rows.groupby("response_id")[["la_code", "team", "time_point"]].nunique()
    for rid in places[(places > 1).any(axis=1)].index[:MAX_LISTED]:
        problems.append(
            Problem(
                "CSC-E3422",
                "One response id is under two sites, teams or time points.",
                file=FILE,
                column="response_id",
                value=str(rid),
                fix="Give each questionnaire its own random id.",
            )
        )
    return problems
