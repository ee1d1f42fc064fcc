"""Rules across the interviews strand's tables and ``evaluation.toml``.

Each rule is a row mask over one table with its code, message, column and fix; a problem is
reported for each offending row (the first 50 per rule), numbered as a spreadsheet shows it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

import pandas as pd

from csceval.errors import Problem
from csceval.project import EvaluationSettings
from csceval.strands.interviews.segments import blank, segment_text
from csceval.strands.interviews.tables import (
    ATTENDANCE,
    CODINGS,
    CONSENTS,
    INTERVIEWS,
    MEMOS,
    PARTICIPANTS,
    TURNS,
)

PATTERNS = {
    "R": re.compile(r"^R-[A-Za-z0-9]{1,16}$"),
    "I": re.compile(r"^I-[A-Za-z0-9]{1,16}$"),
    "C": re.compile(r"^C-[A-Za-z0-9]{1,16}$"),
}
MAX_PER_RULE = 50
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


class Rule(NamedTuple):
    """Rows of ``frame`` (read from ``file``) where ``bad`` is true break the rule."""

    frame: pd.DataFrame
    bad: list[bool]
    code: str
    message: str
    file: str
    column: str
    fix: str


def _report(rules: list[Rule]) -> list[Problem]:
    return [
        Problem(r.code, r.message, file=r.file, row=int(i) + 2, column=r.column,
                value=str(r.frame.at[i, r.column]), fix=r.fix)
        for r in rules
        for i in r.frame.index[pd.Series(r.bad, dtype=bool).to_numpy()][:MAX_PER_RULE]
    ]  # fmt: skip


def _not_pseudonym(frame: pd.DataFrame, column: str, kinds: str, file: str) -> Rule:
    bad = [not any(PATTERNS[k].match(str(v)) for k in kinds) for v in frame[column]]
    fix = f"use a pseudonym of the form {' or '.join(k + '-...' for k in kinds)}, never a name"
    return Rule(frame, bad, "CSC-E3628", "not a pseudonym", file, column, fix)


def _fieldwork(settings: EvaluationSettings, t: Mapping[str, pd.DataFrame]) -> list[Rule]:
    interviews, people = t["interviews"], t["interview_participants"]
    attendance = t["interview_attendance"]
    sites = {s.la_code for s in settings.sites}
    times = {tp.id for tp in settings.periods.time_points}
    site_of = dict(zip(interviews["interview_id"], interviews["la_code"], strict=True))
    la_of = dict(zip(people["participant"], people["la_code"], strict=True))
    pairs = list(zip(attendance["interview_id"], attendance["participant"], strict=True))
    e = "CSC-E3622"
    return [
        Rule(interviews, list(~interviews["la_code"].isin(sites)), "CSC-E3621",
             "the LA is not a site of evaluation.toml", INTERVIEWS.file, "la_code",
             "add the site to evaluation.toml or correct the code"),
        Rule(interviews, list(~interviews["time_point"].isin(times)), "CSC-E3621",
             "unknown time point", INTERVIEWS.file, "time_point",
             f"use one of {sorted(times)} (periods.time_points)"),
        _not_pseudonym(people, "participant", "R", PARTICIPANTS.file),
        Rule(attendance, [i not in site_of for i, _ in pairs], e, "unknown interview",
             ATTENDANCE.file, "interview_id", "add it to data/interviews.csv"),
        Rule(attendance, [p not in la_of for _, p in pairs], e, "unknown participant",
             ATTENDANCE.file, "participant", "add them to data/interview_participants.csv"),
        Rule(attendance, [i in site_of and p in la_of and site_of[i] != la_of[p]
                          for i, p in pairs], e, "the participant's LA is not the interview's",
             ATTENDANCE.file, "participant", "correct the participant or the interview"),
    ]  # fmt: skip


def _consents(t: Mapping[str, pd.DataFrame]) -> list[Rule]:
    people, consents = t["interview_participants"], t["interview_consents"]
    early = [
        w is not None and not pd.isna(w) and w < c
        for w, c in zip(consents["withdrawn_date"], consents["consent_date"], strict=True)
    ]
    e = "CSC-E3623"
    return [
        Rule(consents, list(~consents["participant"].isin(people["participant"])), e,
             "consent for an unknown participant", CONSENTS.file, "participant",
             "add them to data/interview_participants.csv"),
        Rule(people, list(~people["participant"].isin(consents["participant"])), e,
             "the participant has no consent record", PARTICIPANTS.file, "participant",
             "record their consent in data/interview_consents.csv"),
        Rule(consents, early, e, "consent withdrawn before it was given", CONSENTS.file,
             "withdrawn_date", "correct the dates"),
    ]  # fmt: skip


def _transcripts(t: Mapping[str, pd.DataFrame]) -> list[Rule]:
    turns, codings = t["transcript_turns"], t["interview_codings"]
    attended = set(zip(t["interview_attendance"]["interview_id"],
                       t["interview_attendance"]["participant"], strict=True))  # fmt: skip
    speaker_ok = [
        bool(PATTERNS["I"].match(str(s))) or (i, s) in attended
        for i, s in zip(turns["transcript_id"], turns["speaker"], strict=True)
    ]
    last = turns.groupby("transcript_id")["turn"].max().to_dict()
    spans = zip(codings["transcript_id"], codings["first_turn"], codings["last_turn"], strict=True)
    out_of_range = [i in last and (f > end or end > last[i]) for i, f, end in spans]
    return [
        Rule(turns, list(~turns["transcript_id"].isin(t["interviews"]["interview_id"])),
             "CSC-E3624", "the transcript is not an interview", TURNS.file, "transcript_id",
             "add the interview to data/interviews.csv"),
        Rule(turns, [not ok for ok in speaker_ok], "CSC-E3624", "the speaker is neither an "
             "interviewer (I-...) nor a participant who attended", TURNS.file, "speaker",
             "add the attendance row or correct the speaker"),
        _not_pseudonym(codings, "coder", "C", CODINGS.file),
        Rule(codings, [i not in last for i in codings["transcript_id"]], "CSC-E3625",
             "the transcript is not stored", CODINGS.file, "transcript_id",
             "import the transcript first"),
        Rule(codings, out_of_range, "CSC-E3625", "the turns are reversed or beyond the "
             "transcript's last turn", CODINGS.file, "last_turn",
             "give first_turn <= last_turn <= the last turn"),
    ]  # fmt: skip


def _segments(t: Mapping[str, pd.DataFrame]) -> list[Rule]:
    """Offsets inside their turns, and each given quote equal to what they select."""
    turns, codings = t["transcript_turns"], t["interview_codings"]
    texts = {
        (str(i), int(str(n))): str(x)
        for i, n, x in turns[["transcript_id", "turn", "text"]].itertuples(index=False)
    }
    beyond, differs = [], []
    for row in codings.itertuples(index=False):
        first, last = int(str(row.first_turn)), int(str(row.last_turn))
        ends = [(str(row.transcript_id), n) for n in (first, last)]
        if first > last or not all(k in texts for k in ends):
            beyond.append(False)
            differs.append(False)  # reported by the transcript and range rules
            continue
        keys = [(str(row.transcript_id), n) for n in range(first, last + 1)]
        offsets = (getattr(row, "start_char", None), getattr(row, "end_char", None))
        a, b = (None if blank(v) else int(str(v)) for v in offsets)
        bad = (b is not None and b > len(texts[keys[-1]])) or (
            a is not None and (a > len(texts[keys[0]]) or (first == last and b is not None
                                                            and a > b)))  # fmt: skip
        beyond.append(bad)
        quote = getattr(row, "quote", None)
        texts_by_turn = {n: texts[k] for n, k in zip(range(first, last + 1), keys, strict=True)}
        differs.append(
            not bad
            and not blank(quote)
            and segment_text(texts_by_turn, first, last, a, b).strip() != str(quote).strip()
        )
    return [
        Rule(codings, beyond, "CSC-E3627", "the segment's offsets lie outside its turns' text",
             CODINGS.file, "start_char", "give offsets within the turns' text (code points)"),
        Rule(codings, differs, "CSC-E3627", "the quote is not the text the offsets select",
             CODINGS.file, "quote", "correct the offsets, or leave quote empty"),
    ]  # fmt: skip


def _memos(t: Mapping[str, pd.DataFrame]) -> list[Rule]:
    memos = t.get("interview_memos")
    if memos is None or memos.empty:
        return []
    known = {
        "source": set(t["transcript_turns"]["transcript_id"]),
        "coding": set(t["interview_codings"].get("coding_id", pd.Series(dtype=object)).dropna()),
        "project": {None, ""},
    }
    pairs = zip(memos["target_kind"], memos["target_id"], strict=True)
    unknown = [k in known and (None if blank(v) else v) not in known[k] for k, v in pairs]
    return [
        _not_pseudonym(memos, "author", "CI", MEMOS.file),
        Rule(memos, unknown, "CSC-E3629", "the memo's target is not in the project",
             MEMOS.file, "target_id", "give a stored transcript id or a coding_id"),
        Rule(memos, [not STAMP.match(str(v)) for v in memos["created"]], "CSC-E3629",
             "not an ISO 8601 date and time", MEMOS.file, "created",
             "write e.g. 2026-05-01T10:00:00Z"),
    ]  # fmt: skip


def check_interview_tables(
    settings: EvaluationSettings, tables: Mapping[str, pd.DataFrame]
) -> list[Problem]:
    """Every cross-table rule of the strand (each problem coded CSC-E36xx)."""
    rules = _fieldwork(settings, tables) + _consents(tables) + _transcripts(tables)
    return _report(rules + _segments(tables) + _memos(tables))
