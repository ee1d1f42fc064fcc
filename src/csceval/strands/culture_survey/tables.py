"""The culture-survey strand's table: survey answers, one row per response and item (long)."""

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

TABLES: tuple[TableSchema, ...] = (SURVEY_RESPONSES,)
