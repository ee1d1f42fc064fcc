"""The scoping strand's tables: scoping-survey responses and each LA's hex on the map."""

from __future__ import annotations

from csceval.project.schema import Column, ColumnType, TableSchema
from csceval.project.tables import FRAMEWORK_REGISTER

ROLES = (
    "director",
    "assistant_director",
    "head_of_service",
    "principal_social_worker",
    "practice_lead",
    "performance_analyst",
    "other",
)
"""Respondent roles: a role, never a name."""

REVIEW_STATUSES = ("pending", "accepted", "rejected", "query")

SCOPING_RESPONSES = TableSchema(
    name="scoping_responses",
    file="data/scoping_responses.csv",
    description="Scoping-survey responses: one row per LA response saying which practice "
    "framework(s) the LA uses, how widely, since when, with what training and licence, and "
    "where its review stands. Accepted responses become framework-register rows "
    "(`csceval scoping review`). Optional.",
    key=("response_id",),
    required=False,
    columns=(
        Column("response_id", ColumnType.TEXT, "The response's id, e.g. R-0042."),
        Column("la_code", ColumnType.LA_CODE, "The responding LA's 3-digit DfE LA number."),
        Column(
            "respondent_role",
            ColumnType.TEXT,
            "The respondent's role (never a name).",
            allowed=ROLES,
        ),
        Column(
            "frameworks",
            ColumnType.TEXT,
            "The framework(s) in use, separated by ';' (e.g. Signs of Safety; Systemic "
            "practice), or 'none'.",
        ),
        FRAMEWORK_REGISTER.column("extent"),
        Column(
            "since",
            ColumnType.TEXT,
            "Since when: a year ending 31 March (2016), a month (2016-04) or a date "
            "(2016-04-01); empty when not known.",
            required=False,
        ),
        FRAMEWORK_REGISTER.column("training"),
        FRAMEWORK_REGISTER.column("licensing"),
        Column("received", ColumnType.DATE, "When the response was received."),
        Column(
            "review_status",
            ColumnType.TEXT,
            "pending (not yet reviewed), accepted (becomes register rows), rejected, or query "
            "(sent back to the LA).",
            allowed=REVIEW_STATUSES,
        ),
        Column("reviewed", ColumnType.DATE, "When it was reviewed.", required=False),
    ),
)

LA_HEXES = TableSchema(
    name="la_hexes",
    file="data/la_hexes.csv",
    description="Each LA's hexagon on the hex cartogram of England (odd-r offset coordinates: q "
    "column, r row counted upwards; odd rows shift right by half a hex). LAs that never exist "
    "at the same time may share a cell (an LA and its successor). Real projects write it with "
    "`csceval scoping hexmap`; the simulator writes a compact layout by region. Optional: "
    "without it the report has no map.",
    key=("la_code",),
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "DfE 3-digit LA number."),
        Column("q", ColumnType.INTEGER, "Hex column.", minimum=0),
        Column("r", ColumnType.INTEGER, "Hex row, counted upwards from the south.", minimum=0),
        Column("label", ColumnType.TEXT, "Short label (up to 3 characters) printed on the hex."),
    ),
)

TABLES = (SCOPING_RESPONSES, LA_HEXES)
