"""The implementation strand's tables: pilots' plans (milestones) and self-profiles."""

from __future__ import annotations

from csceval.project.schema import Column, ColumnType, PrivacyClass, TableSchema

IMPLEMENTATION_MILESTONES = TableSchema(
    name="implementation_milestones",
    file="data/implementation_milestones.csv",
    description="Each pilot's implementation plan: milestones on the implementation elements "
    "(docs/methods.md lists them), with planned and achieved dates.",
    key=("la_code", "element", "milestone"),
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "The pilot LA's 3-digit DfE LA number."),
        Column("element", ColumnType.TEXT, "Implementation element id, e.g. supervision."),
        Column("milestone", ColumnType.TEXT, "What is to be done, in a few words."),
        Column("planned", ColumnType.DATE, "Date the plan gives for it."),
        Column(
            "achieved",
            ColumnType.DATE,
            "Date it was achieved; empty while not achieved.",
            required=False,
        ),
        Column(
            "status",
            ColumnType.TEXT,
            "Where it stands.",
            allowed=("planned", "in_progress", "achieved", "dropped"),
        ),
        Column(
            "evidence",
            ColumnType.TEXT,
            "What shows it (a document, a board minute); no personal details.",
            required=False,
            privacy=PrivacyClass.FREE_TEXT,
        ),
    ),
)


SELF_PROFILES = TableSchema(
    name="self_profiles",
    file="data/self_profiles.csv",
    description="The self-profiling instrument: each pilot rates each implementation element "
    "from 0 (not started) to 10 (fully embedded) at each fieldwork time point.",
    key=("la_code", "time_point", "element"),
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "The pilot LA's 3-digit DfE LA number."),
        Column("time_point", ColumnType.TEXT, "A time point id from periods.time_points, e.g. T1."),
        Column("element", ColumnType.TEXT, "Implementation element id, e.g. supervision."),
        Column("rating", ColumnType.INTEGER, "Rating from 0 to 10 against the anchors."),
        Column(
            "status",
            ColumnType.TEXT,
            "draft, submitted or reviewed; empty (an evaluator's import) counts as reviewed. "
            "Only reviewed rows are analysed.",
            required=False,
            allowed=("draft", "submitted", "reviewed"),
        ),
        Column(
            "evidence",
            ColumnType.TEXT,
            "What the rating rests on; no personal details.",
            required=False,
            privacy=PrivacyClass.FREE_TEXT,
        ),
    ),
)


TABLES: tuple[TableSchema, ...] = (IMPLEMENTATION_MILESTONES, SELF_PROFILES)
