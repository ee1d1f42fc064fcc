"""The cost strand's tables: the implementation cost ledger and the cost-benefit inputs."""

from __future__ import annotations

from csceval.project.schema import Column, ColumnType, TableSchema

COST_LEDGER = TableSchema(
    name="cost_ledger",
    file="data/cost_ledger.csv",
    description="What implementing the framework cost each site in each financial year: one row "
    "per item, cash (amount_gbp) or staff time (hours x unit_cost_gbp), with its price year and "
    "source. Optional: the cost strand runs when it is present.",
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "DfE 3-digit LA number of the site."),
        Column("financial_year", ColumnType.TEXT, "Financial year the cost fell in, e.g. 2017-18."),
        Column(
            "category",
            ColumnType.TEXT,
            "Cost category id: practitioner_training, trainers_consultancy, licences, backfill, "
            "practice_leads, leadership_time, recording_system, travel, overheads.",
        ),
        Column("item", ColumnType.TEXT, "What was bought or whose time, e.g. 'Two-day workshop'."),
        Column("one_off_or_ongoing", ColumnType.TEXT, "one_off or ongoing."),
        Column("kind", ColumnType.TEXT, "cash (an amount paid) or time (hours of staff time)."),
        Column("amount_gbp", ColumnType.NUMBER, "Cash rows: the amount.", unit="GBP",
               required=False),
        Column("hours", ColumnType.NUMBER, "Time rows: hours of staff time.", unit="hours",
               required=False),
        Column("unit_cost_gbp", ColumnType.NUMBER, "Time rows: cost of an hour of that staff "
               "time (salary, on-costs and overheads).", unit="GBP per hour", required=False),
        Column("price_year", ColumnType.TEXT, "Financial year whose prices the figure is in, "
               "e.g. 2017-18.", required=False),
        Column("source", ColumnType.TEXT, "Where the figure comes from (invoice, finance "
               "system, timesheet, estimate by ...).", required=False),
    ),
)  # fmt: skip


UNIT_COSTS = TableSchema(
    name="unit_costs",
    file="data/unit_costs.csv",
    description="Unit costs of activity, adding to or replacing csceval's defaults "
    "(docs/methods.md, Costs and cost-benefit). Optional.",
    key=("activity",),
    required=False,
    columns=(
        Column("activity", ColumnType.TEXT, "Activity id, e.g. looked_after_child_year."),
        Column("unit", ColumnType.TEXT, "The unit costed, e.g. child-year in care."),
        Column("cost_gbp", ColumnType.NUMBER, "Cost of one unit.", unit="GBP"),
        Column("price_year", ColumnType.TEXT, "Financial year of the prices, e.g. 2013-14."),
        Column("source", ColumnType.TEXT, "Publication, table and edition the cost is from."),
        Column("se_gbp", ColumnType.NUMBER, "Standard error of the cost, if known.", unit="GBP",
               required=False),
    ),
)  # fmt: skip


ACTIVITY_CHANGES = TableSchema(
    name="activity_changes",
    file="data/activity_changes.csv",
    description="Changes in activity a year attributable to the framework (negative = less), "
    "with standard errors, for the cost-benefit analysis. Optional.",
    key=("activity", "la_code"),
    required=False,
    columns=(
        Column("activity", ColumnType.TEXT, "Activity id with a unit cost, e.g. "
               "looked_after_child_year."),
        Column("change", ColumnType.NUMBER, "Change in units of the activity a year."),
        Column("se", ColumnType.NUMBER, "Standard error of the change."),
        Column("source", ColumnType.TEXT, "Where the estimate comes from."),
        Column("la_code", ColumnType.TEXT, "Site the change applies to; empty for all pilots.",
               required=False),
    ),
)  # fmt: skip


DEFLATORS = TableSchema(
    name="deflators",
    file="data/deflators.csv",
    description="GDP deflator index by financial year, replacing csceval's default series for "
    "the years given (use one base throughout). Optional.",
    key=("financial_year",),
    required=False,
    columns=(
        Column("financial_year", ColumnType.TEXT, "Financial year, e.g. 2017-18."),
        Column("index", ColumnType.NUMBER, "Deflator index (e.g. 2024 = 100)."),
        Column("source", ColumnType.TEXT, "Publisher, series id and vintage."),
    ),
)


TABLES: tuple[TableSchema, ...] = (COST_LEDGER, UNIT_COSTS, ACTIVITY_CHANGES, DEFLATORS)
