"""Framework analysis: the code x case matrix, code x site x time counts, quotes, agreement.

Notes
-----
Cases are participants at a time point (with their site and role). A participant "mentions" a
code when at least one of their turns carries it. Which codings count: on a transcript with
reconciled codings, the reconciled ones; otherwise the first coder's (the blind second pass
serves only the agreement statistics). Interviewer turns are never counted. Prevalence is the
share of the participants interviewed at that site and time point who mention the code.

A turn is a candidate quote only if its speaker consented to quotation (scope
``analysis_and_quotes``, not withdrawn), no pattern identifier (email, phone, postcode, date,
NHS number) is left in it, no name of the project's name lists is found in it, and it has at
least eight words.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from csceval.strands.interviews.agreement import Agreement, agreement
from csceval.strands.interviews.codebook import (
    Codebook,
    TopicGuide,
    default_codebook,
    default_topic_guide,
)
from csceval.strands.interviews.deidentify import Redactor, residual_identifiers
from csceval.strands.interviews.fieldwork import Fieldwork, apply_consent
from csceval.strands.interviews.names import NameLists
from csceval.strands.strand import StrandInputs

MIN_QUOTE_WORDS = 8
SITE_MATRIX_COLUMNS = ["code", "la_code", "time_point", "participants", "segments", "interviewed"]


@dataclass(frozen=True)
class InterviewsResult:
    """What the interviews and focus groups show, before disclosure control."""

    site_names: dict[str, str]
    time_points: tuple[str, ...]
    codebook: Codebook
    guide: TopicGuide
    interviews: pd.DataFrame
    """interview_id, la_code, time_point, kind, participants (after withdrawals)."""
    people: pd.DataFrame
    """participant, la_code, time_point, role: who was interviewed when."""
    case_matrix: pd.DataFrame
    """participant, la_code, time_point, role, code, turns, exemplar (a quote or empty)."""
    site_matrix: pd.DataFrame
    """code, la_code, time_point, participants (mentioning), segments, interviewed."""
    quotes: pd.DataFrame
    """Quotable turns: code, la_code, time_point, role, transcript_id, turn, text."""
    agreement: Agreement
    withdrawn: int
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The code x site x time matrix (long): columns of ``site_matrix`` plus ``share``."""
        frame = self.site_matrix.copy()
        frame["share"] = frame["participants"] / frame["interviewed"]
        return frame

    def code_by_case(self) -> pd.DataFrame:
        """The 0/1 code x case matrix for R or Excel: a row per case, a column per code."""
        cases = self.people.set_index(["participant", "time_point"])
        hits = self.case_matrix.assign(hit=1).pivot_table(
            index=["participant", "time_point"], columns="code", values="hit", fill_value=0
        )
        wide = cases.join(hits).fillna(0)
        codes = [c for c in self.codebook.codable if c in wide]
        return wide.astype(dict.fromkeys(codes, int)).reset_index()

    def summary(self) -> str:
        """Fieldwork, the most mentioned codes and the coders' agreement, headline first."""
        top = self.site_matrix.groupby("code")["participants"].sum().sort_values(ascending=False)
        pooled = self.agreement.pooled
        lines = [
            f"{len(self.interviews)} interviews and focus groups with {len(self.people)} "
            f"participant-time points in {self.interviews['la_code'].nunique()} sites.",
            "Most mentioned codes (participants): "
            + (", ".join(f"{c} ({n})" for c, n in top.head(3).items()) or "none coded yet"),
            f"Blind double coding of {len(self.agreement.transcripts)} transcripts: pooled "
            f"kappa {pooled.kappa:.2f}, agreement {pooled.agreement:.1%}.",
        ]
        return "\n".join(lines + list(self.notes))


def analysis_codings(fieldwork: Fieldwork) -> pd.DataFrame:
    """Reconciled codings where a transcript has them, else the first coder's."""
    coded = fieldwork.coded
    reconciled = set(coded.loc[coded["pass"] == "reconciled", "transcript_id"])
    use = coded["transcript_id"].isin(reconciled) == (coded["pass"] == "reconciled")
    use &= coded["pass"] != "second"
    return coded[use][["transcript_id", "turn", "code"]].drop_duplicates()


def _quotable(turns: pd.DataFrame, consents: pd.DataFrame, names: NameLists) -> pd.Series:
    scope = dict(zip(consents["participant"], consents["scope"], strict=True))
    redactor = Redactor(names)

    def ok(speaker: str, text: str) -> bool:
        if scope.get(speaker) != "analysis_and_quotes" or len(text.split()) < MIN_QUOTE_WORDS:
            return False
        return not residual_identifiers(text) and not redactor.redact(0, text)[1]

    return pd.Series(
        [ok(s, t) for s, t in zip(turns["speaker"], turns["text"], strict=True)],
        index=turns.index,
        dtype=bool,
    )


def analyse_interviews(inputs: StrandInputs) -> InterviewsResult:
    """Apply consent, then build the matrices, quotes and agreement statistics."""
    codebook = inputs.file("interview_codebook") or default_codebook()
    guide = inputs.file("interview_topic_guide") or default_topic_guide()
    names = inputs.file("interview_names") or NameLists()
    fw = apply_consent(inputs.tables)
    notes = []
    interviews = fw.interviews[fw.interviews["status"] == "done"]
    other = sorted(set(interviews["topic_guide_version"]) - {guide.version})
    if other:
        notes.append(
            f"Some interviews used topic guide version(s) {other}, not the current {guide.version}."
        )
    unknown = sorted(set(fw.coded["code"]) - set(codebook.codable))
    if unknown:
        notes.append(f"Codings with codes not in the codebook were ignored: {unknown}.")
    role = dict(zip(fw.participants["participant"], fw.participants["role"], strict=True))
    turns = fw.turns.astype({"turn": int}).merge(
        interviews[["interview_id", "la_code", "time_point"]],
        left_on="transcript_id",
        right_on="interview_id",
    )
    turns = turns[turns["speaker"].isin(role)].copy()
    turns["role"] = turns["speaker"].map(role)
    turns["quotable"] = _quotable(turns, fw.consents, names)
    coded = analysis_codings(fw)
    coded = coded[coded["code"].isin(codebook.codable)].astype({"turn": int})
    hits = turns.merge(coded, on=["transcript_id", "turn"])
    attended = fw.attendance.merge(interviews, on="interview_id")
    people = attended[["participant", "la_code", "time_point"]].drop_duplicates()
    people = people.assign(role=people["participant"].map(role)).reset_index(drop=True)
    quotes = hits[hits["quotable"]].rename(columns={"speaker": "participant"})
    quote_cols = ["code", "la_code", "time_point", "role", "transcript_id", "turn", "text"]
    quotes = quotes.sort_values(["code", "la_code", "time_point", "transcript_id", "turn"])
    keys = ["participant", "la_code", "time_point", "role", "code"]
    cases = hits.rename(columns={"speaker": "participant"}).groupby(keys)
    case_matrix = cases.size().rename("turns").to_frame()
    exemplar = quotes.groupby(keys)["text"].first().rename("exemplar")
    case_matrix = case_matrix.join(exemplar).fillna({"exemplar": ""}).reset_index()
    interviewed = people.groupby(["la_code", "time_point"]).size().rename("interviewed")
    site = case_matrix.groupby(["code", "la_code", "time_point"]).agg(
        participants=("participant", "nunique"), segments=("turns", "sum")
    )
    site_matrix = site.join(interviewed, on=["la_code", "time_point"]).reset_index()
    counts = attended.groupby("interview_id").size().rename("participants")
    fieldwork = (
        interviews[["interview_id", "la_code", "time_point", "kind"]]
        .join(counts, on="interview_id")
        .fillna({"participants": 0})
    )
    if fw.withdrawn:
        notes.append(
            f"{len(fw.withdrawn)} participant(s) withdrew consent; everything they "
            "said, and its coding, was removed before analysis."
        )
    return InterviewsResult(
        site_names={s.la_code: s.name for s in inputs.settings.sites},
        time_points=tuple(tp.id for tp in inputs.settings.periods.time_points),
        codebook=codebook,
        guide=guide,
        interviews=fieldwork.reset_index(drop=True),
        people=people,
        case_matrix=case_matrix,
        site_matrix=site_matrix[SITE_MATRIX_COLUMNS],
        quotes=quotes[quote_cols].reset_index(drop=True),
        agreement=agreement(fw, codebook.codable),
        withdrawn=len(fw.withdrawn),
        notes=tuple(notes),
    )
