"""The tables of an evaluation project's ``data/`` folder, declared once.

Later strands add their tables to :data:`TABLES` (case samples, audits, costs, ...).
"""

from __future__ import annotations

from csceval.project.schema import Column, ColumnType, PrivacyClass, TableSchema

LOCAL_AUTHORITIES = TableSchema(
    name="local_authorities",
    file="data/local_authorities.csv",
    description="Every LA in the evaluation's universe (pilots, comparators, the rest of England).",
    key=("la_code",),
    columns=(
        Column("la_code", ColumnType.LA_CODE, "DfE 3-digit LA number (the 'old' LA code)."),
        Column("gss_code", ColumnType.TEXT, "ONS GSS code of the LA, e.g. E10000020."),
        Column("la_name", ColumnType.TEXT, "LA name."),
        Column("region_code", ColumnType.TEXT, "ONS region code, e.g. E12000006."),
        Column("region_name", ColumnType.TEXT, "Region name."),
        Column(
            "first_year",
            ColumnType.INTEGER,
            "First year (ending 31 March) the LA reports; later than the panel start when it was "
            "created by a reorganisation.",
            unit="year",
        ),
        Column(
            "last_year",
            ColumnType.INTEGER,
            "Last year the LA reports; empty while it still exists.",
            unit="year",
            required=False,
        ),
        Column(
            "neighbour_group",
            ColumnType.TEXT,
            "Label of the LA's statistical-neighbour group (a cluster of similar LAs).",
            required=False,
        ),
    ),
)

STATISTICAL_NEIGHBOURS = TableSchema(
    name="statistical_neighbours",
    file="data/statistical_neighbours.csv",
    description="DfE-style statistical neighbours: each LA's ten most similar LAs, closest first.",
    key=("la_code", "rank"),
    columns=(
        Column("la_code", ColumnType.LA_CODE, "The LA whose neighbours these are."),
        Column("rank", ColumnType.INTEGER, "1 = closest neighbour.", minimum=1),
        Column("neighbour_code", ColumnType.LA_CODE, "The neighbour's 3-digit LA number."),
        Column(
            "closeness",
            ColumnType.TEXT,
            "DfE's closeness band.",
            required=False,
            allowed=(
                "Extremely close",
                "Very Close",
                "Very close",
                "Close",
                "Somewhat close",
                "Not Close",
            ),
        ),
    ),
)

REORGANISATIONS = TableSchema(
    name="reorganisations",
    file="data/reorganisations.csv",
    description="LA reorganisations: old codes whose series end and the new codes that continue "
    "them (mergers and splits), by the first reporting year of the new LA.",
    key=("old_la_code", "new_la_code"),
    required=False,
    columns=(
        Column(
            "year", ColumnType.INTEGER, "First year ending 31 March of the new LA.", unit="year"
        ),
        Column("old_la_code", ColumnType.LA_CODE, "LA whose series ends."),
        Column("new_la_code", ColumnType.LA_CODE, "LA whose series starts."),
        Column("kind", ColumnType.TEXT, "What happened.", allowed=("merger", "split")),
    ),
)

FRAMEWORK_SCOPING = TableSchema(
    name="framework_scoping",
    file="data/framework_scoping.csv",
    description="Which practice framework each LA uses, from a scoping survey or desk review "
    "(as the reference evaluation scoped every LA in England). An LA recorded as using one of "
    "the evaluation's frameworks never serves as a comparator.",
    key=("la_code", "framework"),
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "DfE 3-digit LA number."),
        Column("framework", ColumnType.TEXT, "The framework's name, e.g. Signs of Safety."),
        Column(
            "since_year",
            ColumnType.INTEGER,
            "Year ending 31 March in which the LA began using it, when known.",
            unit="year",
            required=False,
        ),
        Column("source", ColumnType.TEXT, "Where this comes from.", required=False),
    ),
)

INDICATORS = TableSchema(
    name="indicators",
    file="data/indicators.csv",
    description="LA x year key indicators in long form, values as DfE publishes them "
    "(numbers, or a symbol where a cell is suppressed or not available).",
    key=("la_code", "year", "indicator"),
    columns=(
        Column("la_code", ColumnType.LA_CODE, "DfE 3-digit LA number."),
        Column(
            "year",
            ColumnType.INTEGER,
            "Year ending 31 March (workforce: 30 September snapshot of that year).",
            unit="year",
        ),
        Column("indicator", ColumnType.TEXT, "Indicator id from the catalogue (docs/indicators)."),
        Column(
            "value",
            ColumnType.DFE_VALUE,
            "The value, or c (suppressed), x (not available), z (not applicable), k (rounds to 0).",
            privacy=PrivacyClass.NONE,
        ),
    ),
)

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

CASE_SAMPLES = TableSchema(
    name="case_samples",
    file="data/case_samples.csv",
    description="The case-file audit samples: per site and time point, the sampled cases and "
    "their reserve list, by pseudonym only (keyed HMAC; docs/methods.md, Quality of recording), "
    "with the seed and the SHA-256 of the case list they were drawn from. Optional.",
    key=("la_code", "time_point", "pseudonym"),
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "The site's 3-digit DfE LA number."),
        Column("time_point", ColumnType.TEXT, "A time point id from periods.time_points."),
        Column("pseudonym", ColumnType.TEXT, "The case's pseudonym, e.g. P-7LEEZPWQWMERWDQU."),
        Column("stratum", ColumnType.TEXT, "Sampling stratum, e.g. cin_plan, cpp, cla or a team."),
        Column("drawn_rank", ColumnType.INTEGER, "Position in the stratum's random order.",
               minimum=1),
        Column("status", ColumnType.TEXT, "sampled, reserve, replaced (could not be audited) "
               "or used (a reserve case that replaced one).",
               allowed=("sampled", "reserve", "replaced", "used")),
        Column("replaced_by", ColumnType.TEXT, "Replaced cases: the pseudonym replacing it.",
               required=False),
        Column("replaces", ColumnType.TEXT, "Used reserve cases: the pseudonym it replaces.",
               required=False),
        Column("reason", ColumnType.TEXT, "Replaced cases: why it could not be audited.",
               required=False, allowed=("file_unavailable", "access_restricted",
                                        "out_of_scope", "sibling_sampled", "other")),
        Column("seed", ColumnType.INTEGER, "Seed the sample was drawn with.", minimum=0),
        Column("case_list_sha256", ColumnType.TEXT, "SHA-256 of the canonical case list."),
    ),
)  # fmt: skip

CASE_AUDITS = TableSchema(
    name="case_audits",
    file="data/case_audits.csv",
    description="Case-file audit ratings: one row per rating of one item of one case, by "
    "pseudonymous rater; blind second ratings and reconciled (agreed) ratings are flagged. "
    "Optional: the quality-of-recording strand runs when it is present.",
    key=("la_code", "time_point", "pseudonym", "item", "rater_id", "reconciled"),
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "The site's 3-digit DfE LA number."),
        Column("pseudonym", ColumnType.TEXT, "The audited case's pseudonym."),
        Column("time_point", ColumnType.TEXT, "A time point id from periods.time_points."),
        Column("rater_id", ColumnType.TEXT, "Pseudonymous auditor id (never a name)."),
        Column("instrument", ColumnType.TEXT, "Audit instrument id, e.g. "
               "assessment-and-planning."),
        Column("instrument_version", ColumnType.TEXT, "Instrument version, e.g. 1.0."),
        Column("item", ColumnType.TEXT, "Item id in the instrument."),
        Column("value", ColumnType.TEXT, "The answer: an anchor value, yes, no, na (not "
               "applicable) or, for free-text items, text without personal details.",
               required=False, privacy=PrivacyClass.FREE_TEXT),
        Column("is_second_rating", ColumnType.TEXT, "true for a blind second rating.",
               allowed=("true", "false")),
        Column("reconciled", ColumnType.TEXT, "true for the agreed rating after reconciliation "
               "(rater_id is who agreed it).", allowed=("true", "false")),
    ),
)  # fmt: skip

TABLES: tuple[TableSchema, ...] = (
    LOCAL_AUTHORITIES,
    STATISTICAL_NEIGHBOURS,
    REORGANISATIONS,
    FRAMEWORK_SCOPING,
    INDICATORS,
    IMPLEMENTATION_MILESTONES,
    SELF_PROFILES,
    COST_LEDGER,
    UNIT_COSTS,
    ACTIVITY_CHANGES,
    DEFLATORS,
    CASE_SAMPLES,
    CASE_AUDITS,
)
"""Every declared project table, in the order they are validated."""

DIRECT_IDENTIFIER_NAMES = frozenset(
    {
        "name",
        "first_name",
        "forename",
        "surname",
        "last_name",
        "full_name",
        "dob",
        "date_of_birth",
        "upn",
        "former_upn",
        "nhs_number",
        "postcode",
        "home_postcode",
        "address",
    }
)
"""Column names that carry direct identifiers; a table holding one is refused whole."""
