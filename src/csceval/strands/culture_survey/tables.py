"""The culture-survey strand's tables: survey answers, one row per response and item (long),
and the invited teams with their sizes (response-rate denominators)."""

from __future__ import annotations

from csceval.project.schema import Column, ColumnType, PrivacyClass, TableSchema

SURVEY_RESPONSES = TableSchema(
    name="survey_responses",
    file="data/survey_responses.csv",
    description="Team culture and climate survey answers: one row per response and question "
    "(long). A response id is random (never a name, e-mail or staff number); teams are codes "
    "the evaluation assigns. Imported from KoboToolbox, ODK or a wide CSV with `csceval survey "
    "import`, or filled by the platform's anonymous links. Optional: the culture-survey strand "
    "runs when it is present.",
    key=("response_id", "item"),
    required=False,
    columns=(
        Column(
            "response_id",
            ColumnType.TEXT,
            "Random id of one completed questionnaire, e.g. "
            "R-3F9A1C0B7D2E (not personal; the same for all its rows).",
        ),
        Column("la_code", ColumnType.LA_CODE, "The site's 3-digit DfE LA number."),
        Column(
            "team",
            ColumnType.TEXT,
            "The respondent's team, as a code (e.g. T03), never a "
            "manager's name. Teams with fewer than 5 responses are never shown on their own.",
            privacy=PrivacyClass.QUASI_IDENTIFIER,
        ),
        Column("time_point", ColumnType.TEXT, "A time point id from periods.time_points."),
        Column("item", ColumnType.TEXT, "The question's name in the instrument (XLSForm name)."),
        Column(
            "value",
            ColumnType.TEXT,
            "The answer: a choice name (e.g. 1-5) or, for text "
            "questions, free text (screened; never published by default).",
            required=False,
            privacy=PrivacyClass.FREE_TEXT,
        ),
    ),
)

SURVEY_TEAMS = TableSchema(
    name="survey_teams",
    file="data/survey_teams.csv",
    description="The teams invited to the team culture and climate survey and how many staff "
    "each invited: the denominators of response rates. Written by the platform's survey links "
    "(one row per team a link was made for); optional.",
    key=("la_code", "team", "time_point"),
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "The site's 3-digit DfE LA number."),
        Column(
            "team",
            ColumnType.TEXT,
            "The team's code, as in survey_responses (e.g. T03).",
            privacy=PrivacyClass.QUASI_IDENTIFIER,
        ),
        Column("time_point", ColumnType.TEXT, "A time point id from periods.time_points."),
        Column(
            "invited",
            ColumnType.INTEGER,
            "Staff invited to answer (the team's size when the link was sent).",
            unit="people",
            minimum=1,
        ),
    ),
)

TABLES: tuple[TableSchema, ...] = (SURVEY_RESPONSES, SURVEY_TEAMS)
