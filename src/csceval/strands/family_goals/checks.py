"""Cross-table rules for ``data/family_goals.csv`` and ``data/goal_ratings.csv``.

Single-cell rules (types, allowed values such as a rating of -2 ... 2, required cells) and
duplicate rows are the contract's (CSC-E20xx); these are the rules across tables and
``evaluation.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import pandas as pd

from csceval.errors import Problem
from csceval.project.settings import EvaluationSettings
from csceval.strands.family_goals.tables import FAMILY_GOALS, GOAL_CONCORDANCE, GOAL_RATINGS

GOAL_SITE_ROLES = ("pilot", "exited", "contrast")
PSEUDONYM = re.compile(r"^P-[A-Z0-9]{4,64}$")
KEYS = ["la_code", "time_point", "family", "goal"]


def _rows(frame: pd.DataFrame) -> Iterator[tuple[int, dict[str, object]]]:
    for offset, row in enumerate(frame.to_dict("records")):
        yield offset + 2, {str(k): v for k, v in row.items()}


def _site_and_time(
    settings: EvaluationSettings, frame: pd.DataFrame, file: str
) -> Iterator[Problem]:
    roles = {s.la_code: s.role for s in settings.sites}
    times = {tp.id for tp in settings.periods.time_points}
    for line, row in _rows(frame):
        code = str(row["la_code"])
        if roles.get(code) not in GOAL_SITE_ROLES:
            yield Problem(
                "CSC-E3301",
                "the LA is not a pilot or contrast site"
                + (f" (its role is {roles[code]})" if code in roles else ""),
                file=file,
                row=line,
                column="la_code",
                value=code,
                fix="add the LA to [[sites]] in evaluation.toml with role pilot or contrast",
            )
        if str(row["time_point"]) not in times:
            yield Problem(
                "CSC-E3302",
                "unknown time point",
                file=file,
                row=line,
                column="time_point",
                value=str(row["time_point"]),
                fix=f"use one of {sorted(times)} (periods.time_points)",
            )


def _goal_rows(goals: pd.DataFrame) -> Iterator[Problem]:
    file = FAMILY_GOALS.file
    for line, row in _rows(goals):
        if not PSEUDONYM.match(str(row["family"])):
            yield Problem(
                "CSC-E3306",
                "not a family pseudonym",
                file=file,
                row=line,
                column="family",
                value=str(row["family"])[:3] + "...",
                fix="use the pseudonym (P- and 4-64 capital letters or digits), never a name "
                "or case number",
            )
        weight = float(str(row["weight"]))
        if not weight > 0:
            yield Problem(
                "CSC-E3303",
                "the importance weight must be greater than 0",
                file=file,
                row=line,
                column="weight",
                value=f"{weight:g}",
                fix="give every goal a weight above 0 (1 for equal weights)",
            )


def _rating_rows(ratings: pd.DataFrame, goals: pd.DataFrame) -> Iterator[Problem]:
    file = GOAL_RATINGS.file
    known = set(goals[KEYS].astype(str).itertuples(index=False, name=None))
    families = {k[:3] for k in known}
    firsts = set(
        ratings.loc[ratings["entry"].astype(int) == 1, [*KEYS, "rater_role"]]
        .astype(str)
        .itertuples(index=False, name=None)
    )
    for line, row in _rows(ratings):
        key = tuple(str(row[k]) for k in KEYS)
        if key not in known:
            family_known = key[:3] in families
            yield Problem(
                "CSC-E3304",
                "unknown goal of this family" if family_known else "unknown family",
                file=file,
                row=line,
                column="goal" if family_known else "family",
                value=key[3] if family_known else key[2],
                fix="rate only goals listed in data/family_goals.csv for the same site, "
                "time point and family",
            )
        if int(str(row["entry"])) == 2 and (*key, str(row["rater_role"])) not in firsts:
            yield Problem(
                "CSC-E3305",
                "a second entry without a first entry",
                file=file,
                row=line,
                column="entry",
                value="2",
                fix="add the first entry (entry 1) of this rating, or make this entry 1",
            )


def _concordance_rows(concordance: pd.DataFrame, goals: pd.DataFrame) -> Iterator[Problem]:
    source = {
        tuple(str(v) for v in k): str(s)
        for *k, s in goals[[*KEYS, "source"]].itertuples(index=False, name=None)
    }
    for line, row in _rows(concordance):
        family = tuple(str(row[k]) for k in KEYS[:3])
        for column, wanted in (("parent_goal", "parent"), ("worker_goal", "worker")):
            if source.get((*family, str(row[column]))) != wanted:
                yield Problem(
                    "CSC-E3307",
                    f"not a {wanted}'s goal of this family",
                    file=GOAL_CONCORDANCE.file,
                    row=line,
                    column=column,
                    value=str(row[column]),
                    fix=f"give the id of one of the family's {wanted} goals in "
                    "data/family_goals.csv",
                )


def check_goal_tables(
    settings: EvaluationSettings, tables: Mapping[str, pd.DataFrame]
) -> list[Problem]:
    """Problems in the family goals and goal ratings (none when both tables are absent)."""
    goals = tables.get(FAMILY_GOALS.name, pd.DataFrame())
    ratings = tables.get(GOAL_RATINGS.name, pd.DataFrame())
    problems: list[Problem] = []
    if not goals.empty:
        problems += _site_and_time(settings, goals, FAMILY_GOALS.file)
        problems += _goal_rows(goals)
    if not ratings.empty:
        problems += _site_and_time(settings, ratings, GOAL_RATINGS.file)
        problems += _rating_rows(ratings, goals if not goals.empty else pd.DataFrame(columns=KEYS))
    concordance = tables.get(GOAL_CONCORDANCE.name, pd.DataFrame())
    if not concordance.empty:
        problems += _concordance_rows(
            concordance, goals if not goals.empty else pd.DataFrame(columns=[*KEYS, "source"])
        )
    return problems
