"""The family goals strand's tables: goal records and follow-up ratings.

Both tables are long (one row per goal, one row per rating) so that a web form can fill them a
row at a time: a worker's journey adds the plan's and the worker's goals, a parent's anonymous
link adds the parent's goals and ratings, and the evaluation exports them here unchanged.
"""

from __future__ import annotations

from csceval.project.schema import Column, ColumnType, PrivacyClass, TableSchema

LEVELS = ("-2", "-1", "0", "1", "2")
"""The five attainment levels of goal attainment scaling (Kiresuk & Sherman 1968)."""

LEVEL_COLUMNS = {
    "-2": ("level_m2", "much less than expected"),
    "-1": ("level_m1", "somewhat less than expected"),
    "0": ("level_0", "the expected outcome"),
    "1": ("level_p1", "somewhat more than expected"),
    "2": ("level_p2", "much more than expected"),
}

SOURCES = ("plan", "worker", "parent")
RATER_ROLES = ("worker", "parent")


def _level(value: str) -> Column:
    name, meaning = LEVEL_COLUMNS[value]
    return Column(
        name,
        ColumnType.TEXT,
        f"What {meaning} ({value}) looks like for this goal, in words without names or "
        "personal details.",
        required=value == "0",
        privacy=PrivacyClass.FREE_TEXT,
    )


FAMILY_GOALS = TableSchema(
    name="family_goals",
    file="data/family_goals.csv",
    description="Goals of the families in the family outcomes sample: per site, time point and "
    "family (by pseudonym only), each goal of the family's plan and each goal the social worker "
    "and the parent stated, with a five-level attainment scale (Kiresuk & Sherman 1968: -2 much "
    "less than expected ... +2 much more than expected), an importance weight and the date set. "
    "Optional: the family goals strand runs when it is present.",
    key=("la_code", "time_point", "family", "goal"),
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "The site's 3-digit DfE LA number (a pilot or "
               "contrast site)."),
        Column("time_point", ColumnType.TEXT, "The fieldwork time point (periods.time_points) "
               "at which the goals are reviewed."),
        Column("family", ColumnType.TEXT, "The family's pseudonym, e.g. P-7LEEZPWQWMERWDQU "
               "(keyed HMAC, as for the case-file audit sample); never a name or case number.",
               privacy=PrivacyClass.QUASI_IDENTIFIER),
        Column("goal", ColumnType.TEXT, "The goal's id within the family, e.g. G1."),
        Column("source", ColumnType.TEXT, "Whose goal it is: the family's plan, the social "
               "worker's stated goal or the parent's stated goal.", allowed=SOURCES),
        Column("description", ColumnType.TEXT, "The goal in words, without names or personal "
               "details.", privacy=PrivacyClass.FREE_TEXT),
        *(_level(v) for v in LEVELS),
        Column("weight", ColumnType.NUMBER, "Importance weight of the goal, greater than 0 "
               "(e.g. importance x difficulty, each 0-3, as Turner-Stokes 2009; 1 for equal "
               "weights).", unit="weight"),
        Column("baseline", ColumnType.INTEGER, "Level at the time the goal was set (usually "
               "-1, or -2 when things cannot get worse). Optional.", required=False,
               allowed=("-2", "-1")),
        Column("set_on", ColumnType.DATE, "Date the goal was set."),
    ),
)  # fmt: skip


GOAL_RATINGS = TableSchema(
    name="goal_ratings",
    file="data/goal_ratings.csv",
    description="Follow-up ratings of the family goals at review: each goal rated by the social "
    "worker and by the parent on the goal's five-level scale (-2 to +2; blank when it could not "
    "be rated). A share of the paper forms may be entered twice (entry 2) to check data entry. "
    "Optional.",
    key=("la_code", "time_point", "family", "goal", "rater_role", "entry"),
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "The site's 3-digit DfE LA number."),
        Column("time_point", ColumnType.TEXT, "The time point, as in data/family_goals.csv."),
        Column("family", ColumnType.TEXT, "The family's pseudonym, as in "
               "data/family_goals.csv.", privacy=PrivacyClass.QUASI_IDENTIFIER),
        Column("goal", ColumnType.TEXT, "The goal's id, as in data/family_goals.csv."),
        Column("rater_role", ColumnType.TEXT, "Who rated the goal.", allowed=RATER_ROLES),
        Column("entry", ColumnType.INTEGER, "1 for the rating; 2 for a second, independent "
               "data entry of the same form (agreement check).", allowed=("1", "2")),
        Column("rating", ColumnType.INTEGER, "Attainment: -2 much less than expected, -1 "
               "somewhat less, 0 as expected, 1 somewhat more, 2 much more; blank when the "
               "goal could not be rated.", unit="GAS level", required=False, allowed=LEVELS),
        Column("rated_on", ColumnType.DATE, "Date of the review. Optional.", required=False),
    ),
)  # fmt: skip


GOAL_CONCORDANCE = TableSchema(
    name="goal_concordance",
    file="data/goal_concordance.csv",
    description="Reviewed goal matches: for a parent's stated goal, whether a person reviewing "
    "the family's goals judged it the same goal as a social worker's stated goal (the web "
    "platform proposes the worker goal sharing the most words). Optional.",
    key=("la_code", "time_point", "family", "parent_goal"),
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "The site's 3-digit DfE LA number."),
        Column("time_point", ColumnType.TEXT, "The time point, as in data/family_goals.csv."),
        Column("family", ColumnType.TEXT, "The family's pseudonym, as in "
               "data/family_goals.csv.", privacy=PrivacyClass.QUASI_IDENTIFIER),
        Column("parent_goal", ColumnType.TEXT, "The parent's goal id, as in "
               "data/family_goals.csv."),
        Column("worker_goal", ColumnType.TEXT, "The worker's goal id it was compared with."),
        Column("matched", ColumnType.TEXT, "yes: the same goal in other words; no: a "
               "different goal.", allowed=("yes", "no")),
    ),
)  # fmt: skip


TABLES: tuple[TableSchema, ...] = (FAMILY_GOALS, GOAL_RATINGS, GOAL_CONCORDANCE)
