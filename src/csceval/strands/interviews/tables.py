"""The interviews strand's tables: fieldwork, participants, consent, transcripts and codings.

Every person appears by pseudonym only: participants ``R-...``, interviewers ``I-...``, coders
``C-...``. Transcripts are stored de-identified, one row per speaker turn, so they are read and
checked by the contract's CSV reader like any other table.
"""

from __future__ import annotations

from csceval.project.schema import Column, ColumnType, PrivacyClass, TableSchema

T, INT, N = ColumnType.TEXT, ColumnType.INTEGER, ColumnType.NUMBER
ROLES = ("senior_leader", "manager", "practice_lead", "practitioner", "partner", "other")
SCOPES = ("analysis", "analysis_and_quotes")
PASSES = ("first", "second", "reconciled")

INTERVIEWS = TableSchema(
    name="interviews",
    file="data/interviews.csv",
    description="The fieldwork plan: each interview or focus group, its site, time point and "
    "the topic guide version used. Optional: the interviews strand runs when it is present.",
    key=("interview_id",),
    required=False,
    columns=(
        Column("interview_id", T, "Interview id, also the transcript's id, e.g. INT-871-T1-01."),
        Column("la_code", ColumnType.LA_CODE, "The site's 3-digit DfE LA number."),
        Column("time_point", T, "A time point id from periods.time_points, e.g. T1."),
        Column("kind", T, "interview or focus_group.", allowed=("interview", "focus_group")),
        Column("topic_guide_version", T, "Version of the topic guide used, e.g. 1.0."),
        Column(
            "status", T, "planned, done or cancelled.", allowed=("planned", "done", "cancelled")
        ),
    ),
)

PARTICIPANTS = TableSchema(
    name="interview_participants",
    file="data/interview_participants.csv",
    description="Interview and focus-group participants by pseudonym and role (never a name).",
    key=("participant",),
    required=False,
    columns=(
        Column("participant", T, "The participant's pseudonym, e.g. R-0001."),
        Column("la_code", ColumnType.LA_CODE, "The participant's LA."),
        Column(
            "role",
            T,
            "Role group (broad, so that no role names one person).",
            allowed=ROLES,
            privacy=PrivacyClass.QUASI_IDENTIFIER,
        ),
    ),
)

ATTENDANCE = TableSchema(
    name="interview_attendance",
    file="data/interview_attendance.csv",
    description="Who took part in which interview or focus group.",
    key=("interview_id", "participant"),
    required=False,
    columns=(
        Column("interview_id", T, "An interview id from data/interviews.csv."),
        Column("participant", T, "A participant pseudonym from data/interview_participants.csv."),
    ),
)

CONSENTS = TableSchema(
    name="interview_consents",
    file="data/interview_consents.csv",
    description="Consent records: the form version, date and scope of each participant's "
    "consent, and the date it was withdrawn. A withdrawal removes that person's turns, codings "
    "and quotes from every output on the next run.",
    key=("participant",),
    required=False,
    columns=(
        Column("participant", T, "A participant pseudonym."),
        Column("form_version", T, "Version of the consent form signed, e.g. 2.1."),
        Column("consent_date", ColumnType.DATE, "Date consent was given."),
        Column(
            "scope",
            T,
            "analysis (use in analysis, never quoted) or analysis_and_quotes "
            "(may also be quoted without attribution).",
            allowed=SCOPES,
        ),
        Column(
            "withdrawn_date",
            ColumnType.DATE,
            "Date consent was withdrawn; empty if not.",
            required=False,
        ),
    ),
)

TURNS = TableSchema(
    name="transcript_turns",
    file="data/transcript_turns.csv",
    description="De-identified transcripts, one row per speaker turn (written by `csceval "
    "qual import-transcript` or `import-qdpx`; names, places, emails, phone numbers, "
    "postcodes and dates replaced by tags such as [PERSON-1], [PLACE], [DATE]).",
    key=("transcript_id", "turn"),
    required=False,
    columns=(
        Column("transcript_id", T, "The interview id the transcript belongs to."),
        Column("turn", INT, "Turn number, from 1.", minimum=1),
        Column("speaker", T, "Speaker pseudonym: R-... (participant) or I-... (interviewer)."),
        Column(
            "start_s",
            N,
            "Start of the turn in the recording.",
            unit="seconds",
            required=False,
            minimum=0,
        ),
        Column(
            "end_s",
            N,
            "End of the turn in the recording.",
            unit="seconds",
            required=False,
            minimum=0,
        ),
        Column("text", T, "What was said, de-identified.", privacy=PrivacyClass.FREE_TEXT),
    ),
)

REDACTIONS = TableSchema(
    name="transcript_redactions",
    file="data/transcript_redactions.csv",
    description="What de-identification replaced in each turn: the kind and the tag, never "
    "the original text.",
    key=("transcript_id", "turn", "kind", "tag"),
    required=False,
    columns=(
        Column("transcript_id", T, "The transcript id."),
        Column("turn", INT, "Turn number.", minimum=1),
        Column(
            "kind",
            T,
            "What was replaced.",
            allowed=(
                "person",
                "place",
                "email",
                "phone",
                "address",
                "postcode",
                "date",
                "nhs_number",
                "case_number",
            ),
        ),
        Column("tag", T, "The tag put in its place, e.g. [PERSON-1]."),
        Column("count", INT, "How many times in the turn.", minimum=1),
    ),
)

CODINGS = TableSchema(
    name="interview_codings",
    file="data/interview_codings.csv",
    description="Codings: a code applied by a coder to a run of turns of a transcript. A share "
    "of transcripts is coded blind twice (pass first and second); reconciled codings record "
    "the agreed coding after the coders compared notes.",
    key=(
        "transcript_id",
        "first_turn",
        "last_turn",
        "code",
        "coder",
        "pass",
        "start_char",
        "end_char",
    ),
    required=False,
    columns=(
        Column("transcript_id", T, "The transcript id."),
        Column("first_turn", INT, "First coded turn.", minimum=1),
        Column("last_turn", INT, "Last coded turn (inclusive).", minimum=1),
        Column("code", T, "A code id from the codebook."),
        Column("coder", T, "The coder's pseudonym, e.g. C-01."),
        Column("pass", T, "first, second (blind double coding) or reconciled.", allowed=PASSES),
        Column(
            "start_char",
            INT,
            "Where the segment starts in first_turn's text, in Unicode code points from 0; "
            "empty: at the start of the turn.",
            required=False,
            minimum=0,
        ),
        Column(
            "end_char",
            INT,
            "Where the segment ends in last_turn's text (code points, exclusive); empty: at "
            "the end of the turn.",
            required=False,
            minimum=0,
        ),
        Column(
            "coding_id",
            T,
            "An id for the coding, so that memos can refer to it, e.g. K-0001. Optional.",
            required=False,
        ),
        Column(
            "quote",
            T,
            "The segment's text, de-identified; when given it must equal what the offsets "
            "select (a turn break shows as a newline; compared without surrounding spaces, "
            "which the CSV reader trims). Optional.",
            required=False,
            privacy=PrivacyClass.FREE_TEXT,
        ),
    ),
)

MEMO_TARGETS = ("project", "code", "source", "coding")

MEMOS = TableSchema(
    name="interview_memos",
    file="data/interview_memos.csv",
    description="Analytic memos on a code, a source (transcript), a coding or the project, by "
    "their author's pseudonym; de-identified like the transcripts.",
    key=("memo_id",),
    required=False,
    columns=(
        Column("memo_id", T, "The memo's id, e.g. M-0001."),
        Column("target_kind", T, "What the memo is about.", allowed=MEMO_TARGETS),
        Column(
            "target_id",
            T,
            "A code id, a transcript id or a coding_id (empty for the project).",
            required=False,
        ),
        Column("author", T, "The author's pseudonym (C-... coder or I-... interviewer)."),
        Column("text", T, "The memo, de-identified.", privacy=PrivacyClass.FREE_TEXT),
        Column("created", T, "When it was written, ISO 8601 UTC, e.g. 2026-05-01T10:00:00Z."),
    ),
)

RECONCILIATIONS = TableSchema(
    name="interview_reconciliations",
    file="data/interview_reconciliations.csv",
    description="The record of reconciliation: for each unit (transcript, turn, code) of the "
    "blind double coding, who applied it in each pass, the decision and who made it "
    "(`agreed` where both coders applied it). Written by `csceval qual reconcile`.",
    key=("transcript_id", "turn", "code"),
    required=False,
    columns=(
        Column("transcript_id", T, "The transcript id."),
        Column("turn", INT, "Turn number.", minimum=1),
        Column("code", T, "A code id."),
        Column("first", T, "The first coder's pseudonym if they applied it.", required=False),
        Column("second", T, "The second coder's pseudonym if they applied it.", required=False),
        Column("decision", T, "apply or omit.", allowed=("apply", "omit")),
        Column("decided_by", T, "The reconciler's pseudonym, or agreed."),
    ),
)

TABLES: tuple[TableSchema, ...] = (
    INTERVIEWS,
    PARTICIPANTS,
    ATTENDANCE,
    CONSENTS,
    TURNS,
    REDACTIONS,
    CODINGS,
    MEMOS,
    RECONCILIATIONS,
)
