"""The quality-of-recording strand's tables: case-file audit samples and ratings."""

from __future__ import annotations

from csceval.project.schema import Column, ColumnType, PrivacyClass, TableSchema

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


TABLES: tuple[TableSchema, ...] = (CASE_SAMPLES, CASE_AUDITS)
