"""The core tables of an evaluation project's ``data/`` folder: the shared vocabulary.

LAs, statistical neighbours, reorganisations, framework scoping (the older table and the
register) and the key indicators. Every
strand declares its own tables (``Strand.tables``); the loader reads both.
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
        Column(
            "model",
            ColumnType.TEXT,
            "DfE's statistical-neighbour model these rows come from (2021 or 2025); "
            "evaluation.toml's [comparators] model must match it.",
            required=False,
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
    "the evaluation's frameworks never serves as a comparator. The older form of "
    "data/framework_register.csv: read only when the project has no register; "
    "`csceval scoping convert` turns it into register rows.",
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

FRAMEWORK_REGISTER = TableSchema(
    name="framework_register",
    file="data/framework_register.csv",
    description="The national register of practice frameworks: one row per episode of one LA "
    "using one framework (from when, until when, how widely, with what training and licence, on "
    "what evidence), history included, so that it can be read as at any date "
    "(csceval.project.register). When present it replaces data/framework_scoping.csv: an LA "
    "with an episode of one of the evaluation's frameworks begun by the end of the analysis "
    "period (31 March of periods.last_year) never serves as a comparator.",
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "DfE 3-digit LA number."),
        Column("framework", ColumnType.TEXT, "The framework's name, e.g. Signs of Safety."),
        Column(
            "extent",
            ColumnType.TEXT,
            "How widely the LA uses it: the whole children's social care service, some teams "
            "only, or not known.",
            allowed=("whole_service", "some_teams", "unknown"),
        ),
        Column(
            "started",
            ColumnType.DATE,
            "First day of use; empty when in use since before the register's records. A date "
            "known only to the month or year is written as its first day (see precision).",
            required=False,
        ),
        Column(
            "ended",
            ColumnType.DATE,
            "Last day of use; empty while still in use.",
            required=False,
        ),
        Column(
            "precision",
            ColumnType.TEXT,
            "How precisely started and ended are known: day, month or year (a year ending 31 "
            "March Y is written as 1 April of Y-1).",
            required=False,
            allowed=("day", "month", "year"),
        ),
        Column(
            "training",
            ColumnType.TEXT,
            "Who trains staff: the framework's own or licensed trainers (external), the LA's "
            "own trainers (in_house), both (mixed), none, or not known.",
            allowed=("external", "in_house", "mixed", "none", "unknown"),
        ),
        Column(
            "licensing",
            ColumnType.TEXT,
            "Whether the LA holds a licence or agreement with the framework's owner.",
            allowed=("licensed", "unlicensed", "not_applicable", "unknown"),
        ),
        Column(
            "source",
            ColumnType.TEXT,
            "Where the row comes from: a scoping-survey response, a desk review, an inspection "
            "report, an LA document, the framework's provider, or the older scoping table.",
            allowed=(
                "survey",
                "desk_review",
                "inspection_report",
                "la_document",
                "provider",
                "scoping_table",
            ),
        ),
        Column(
            "confidence",
            ColumnType.TEXT,
            "How sure the evaluators are: high (confirmed by the LA), medium (one good source), "
            "low (indirect or old evidence).",
            allowed=("high", "medium", "low"),
        ),
        Column(
            "recorded",
            ColumnType.DATE,
            "When the row was recorded or last reviewed.",
            required=False,
        ),
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

TABLES: tuple[TableSchema, ...] = (
    LOCAL_AUTHORITIES,
    STATISTICAL_NEIGHBOURS,
    REORGANISATIONS,
    FRAMEWORK_SCOPING,
    FRAMEWORK_REGISTER,
    INDICATORS,
)
"""The core tables, in the order they are validated (strands' tables follow)."""

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
