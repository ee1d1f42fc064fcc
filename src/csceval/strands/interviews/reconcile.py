"""Reconciliation of blind double coding: the disagreements, the decisions, the agreed codings.

Notes
-----
The unit is the one agreement uses: a (transcript, turn, code). On a transcript coded blind twice
(it has pass ``second`` codings), a unit both coders applied is agreed; a unit only one applied
is a disagreement, which the reconciler (either coder or a third person, by pseudonym) decides:
``apply`` or ``omit``. :func:`reconcile` then gives the agreed codings, pass ``reconciled``:
every agreed unit (coder: the first coder) and every unit decided ``apply`` (coder: the
reconciler), each keeping the segment its coder drew (the first coder's when both did), and a
record of who decided what. Undecided disagreements are returned as pending, not guessed; a
decision on a unit that is not a disagreement, or not ``apply``/``omit``, is a coded problem
(CSC-E3634). Interviewer turns count here too: a disagreement there is still a coding to settle,
although agreement statistics leave those turns out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from csceval.errors import InputError, Problem
from csceval.strands.interviews.checks import PATTERNS
from csceval.strands.interviews.fieldwork import expand_codings
from csceval.strands.interviews.segments import blank
from csceval.strands.interviews.tables import CODINGS

UNIT = ["transcript_id", "turn", "code"]
DECISION_COLUMNS = [*UNIT, "decision", "decided_by"]
RECORD_COLUMNS = [*UNIT, "first", "second", "decision", "decided_by"]
DECISIONS = ("apply", "omit")


@dataclass(frozen=True)
class Reconciled:
    """The agreed codings (rows of data/interview_codings.csv, pass ``reconciled``), the
    record of every unit (agreed or decided, and by whom), and undecided disagreements."""

    codings: pd.DataFrame
    record: pd.DataFrame
    pending: pd.DataFrame


def _units(codings: pd.DataFrame) -> pd.DataFrame:
    """Every coded unit of the double-coded transcripts, with who applied it in each pass."""
    coded = expand_codings(codings)
    double = set(coded.loc[coded["pass"] == "second", "transcript_id"])
    coded = coded[coded["transcript_id"].isin(double) & coded["pass"].isin(["first", "second"])]
    coded = coded.astype({"turn": int})
    units = coded.groupby([*UNIT, "pass"])["coder"].first().unstack("pass")
    units = units.reindex(columns=["first", "second"]).reset_index()
    units = units.rename_axis(columns=None).astype(object)
    return units.map(lambda v: None if blank(v) else v)


def disagreements(codings: pd.DataFrame, turns: pd.DataFrame | None = None) -> pd.DataFrame:
    """Units where the coders differ, by transcript and turn: who applied the code (first or
    second coder's pseudonym, empty if not), with the turn's speaker and text when ``turns``
    (data/transcript_turns.csv) is given, for the disagreement view."""
    units = _units(codings)
    differ = units[units["first"].isna() != units["second"].isna()]
    differ = differ.sort_values(UNIT).reset_index(drop=True)
    if turns is None:
        return differ
    text = turns[["transcript_id", "turn", "speaker", "text"]].astype({"turn": int})
    return differ.merge(text, on=["transcript_id", "turn"], how="left")


def _bad(rows: pd.DataFrame, message: str, fix: str) -> list[Problem]:
    return [
        Problem("CSC-E3634", message, file="decisions", row=int(i) + 2,
                value=" / ".join(str(v) for v in row), fix=fix)
        for i, row in zip(rows.index, rows[DECISION_COLUMNS].itertuples(index=False), strict=True)
    ]  # fmt: skip


def reconcile(codings: pd.DataFrame, decisions: pd.DataFrame) -> Reconciled:
    """The agreed coding set from two coders' codings and the reconciler's ``decisions``
    (transcript_id, turn, code, decision ``apply``/``omit``, decided_by pseudonym)."""
    units = _units(codings)
    decisions = decisions.reindex(columns=DECISION_COLUMNS).astype({"turn": int})
    open_ = units[units["first"].isna() != units["second"].isna()]
    keys = set(map(tuple, open_[UNIT].itertuples(index=False)))
    unknown = [tuple(k) not in keys for k in decisions[UNIT].itertuples(index=False)]
    wrong = decisions[pd.Series(unknown, index=decisions.index, dtype=bool)]
    invalid = decisions[
        ~decisions["decision"].isin(DECISIONS)
        | ~decisions["decided_by"].astype(str).str.match(PATTERNS["C"].pattern)
    ]
    twice = decisions[decisions.duplicated(UNIT, keep="first")]
    problems = (
        _bad(wrong, "not a disagreement of the double coding", "decide only listed units")
        + _bad(invalid, "the decision is not apply/omit, or the reconciler is not a C-... "
               "pseudonym", "write apply or omit and the reconciler's pseudonym")
        + _bad(twice, "the unit is decided twice", "keep one decision per unit")
    )  # fmt: skip
    if problems:
        raise InputError(problems)
    record = units.merge(decisions, on=UNIT, how="left")
    agreed = record["first"].notna() & record["second"].notna()
    record.loc[agreed, "decision"] = "apply"
    record.loc[agreed, "decided_by"] = "agreed"
    pending = record[record["decision"].isna()][[*UNIT, "first", "second"]]
    record = record[record["decision"].notna()][RECORD_COLUMNS].sort_values(UNIT)
    return Reconciled(
        _agreed_codings(codings, record),
        record.reset_index(drop=True),
        pending.sort_values(UNIT).reset_index(drop=True),
    )


def _agreed_codings(codings: pd.DataFrame, record: pd.DataFrame) -> pd.DataFrame:
    applied = record[record["decision"] == "apply"]
    coded = expand_codings(codings).astype({"turn": int})
    coded = coded[coded["pass"].isin(["first", "second"])].sort_values("pass")
    drawn = coded.drop_duplicates([*UNIT, "start_char", "end_char", "pass"])
    rows = applied.merge(drawn, on=UNIT)
    first_pass = rows.groupby(UNIT)["pass"].transform("min")  # the first coder's when both
    rows = rows[rows["pass"] == first_pass]
    out = pd.DataFrame(
        {
            "transcript_id": rows["transcript_id"],
            "first_turn": rows["turn"],
            "last_turn": rows["turn"],
            "code": rows["code"],
            "coder": rows["decided_by"].where(rows["decided_by"] != "agreed", rows["coder"]),
            "pass": "reconciled",
            "start_char": rows["start_char"],
            "end_char": rows["end_char"],
        }
    )
    out = out.reindex(columns=list(CODINGS.column_names)).sort_values(
        ["transcript_id", "first_turn", "code"]
    )
    return out.drop_duplicates().reset_index(drop=True)
