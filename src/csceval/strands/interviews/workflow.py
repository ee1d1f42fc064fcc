"""More library functions behind ``csceval qual``: redact, reconcile, quotes, ``.qdc`` exchange.

Like :mod:`~csceval.strands.interviews.exchange`, every function reads through the contract,
raises :class:`~csceval.errors.InputError` with coded problems and writes all or nothing.
:func:`redact_file` writes nothing at all: it returns the redacted turns for review.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from csceval.errors import InputError, Problem
from csceval.formula_injection import neutralise_frame
from csceval.strands.interviews.analysis import analyse_interviews
from csceval.strands.interviews.codebook import CODEBOOK_FILE, Code, default_codebook
from csceval.strands.interviews.codebook_edit import (
    Edited,
    SplitRule,
    codebook_to_toml,
    merge,
    split,
)
from csceval.strands.interviews.deidentify import Redaction, Redactor
from csceval.strands.interviews.exchange import read_bounded
from csceval.strands.interviews.names import NameLists
from csceval.strands.interviews.project_io import load_interviews_project
from csceval.strands.interviews.qdc import qdc_bytes, read_qdc
from csceval.strands.interviews.reconcile import Reconciled, reconcile
from csceval.strands.interviews.store import read_checked, write_files, write_tables
from csceval.strands.interviews.tables import CODINGS, MEMOS, RECONCILIATIONS
from csceval.strands.interviews.transcripts import MAX_DOCX_BYTES, read_transcript
from csceval.strands.strand import StrandInputs

ROLE_WORDS = {"interviewer", "facilitator", "moderator", "researcher", "participant"}
QUOTE_COLUMNS = ["source", "turn", "speaker_role", "site", "la_code", "time_point", "code", "text"]


@dataclass(frozen=True)
class Redacted:
    """A transcript de-identified for review: turns (speaker tag, text) and what was replaced."""

    turns: list[tuple[int, str, str]]
    redactions: list[Redaction]

    def text(self) -> str:
        return "\n".join(f"{speaker}: {text}" for _, speaker, text in self.turns)


def read_names_csv(path: Path) -> NameLists:
    """A CSV of names to redact: a ``name`` column and an optional ``kind`` (person or place)."""
    try:
        rows = list(csv.DictReader(io.StringIO(read_bounded(path, 5_000_000).decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(
            [Problem("CSC-E3611", f"not a UTF-8 CSV ({exc})", file=str(path))]
        ) from exc
    if not rows or "name" not in rows[0]:
        raise InputError(
            [Problem("CSC-E3611", "the CSV needs a 'name' column", file=str(path),
                     fix="write a header 'name,kind' and a name per row")]
        )  # fmt: skip
    people = [r["name"].strip() for r in rows if (r.get("kind") or "person").strip() == "person"]
    places = [r["name"].strip() for r in rows if (r.get("kind") or "").strip() == "place"]
    return NameLists(tuple(p for p in people if p), tuple(p for p in places if p))


def redact_file(file: Path, names: NameLists) -> Redacted:
    """De-identify a transcript file for review; speaker labels count as names unless they are
    role words (Interviewer, Facilitator, ...). Nothing is written anywhere."""
    turns = read_transcript(read_bounded(file, MAX_DOCX_BYTES), file.name)
    labels = {t.speaker for t in turns if t.speaker.lower() not in ROLE_WORDS}
    redactor = Redactor(NameLists((*names.people, *sorted(labels)), names.places))
    out, found = [], []
    for number, turn in enumerate(turns, start=1):
        speaker = redactor.redact(number, turn.speaker)[0]
        text, redactions = redactor.redact(number, turn.text)
        out.append((number, speaker, text))
        found += redactions
    return Redacted(out, found)


def project_reconcile(project: Path, decisions_file: Path) -> Reconciled:
    """Reconcile the project's blind double coding with a decisions CSV; the agreed codings
    replace any reconciled codings of those transcripts, and the record is written beside."""
    loaded = load_interviews_project(project)
    try:
        raw = read_bounded(decisions_file, 20_000_000).decode("utf-8-sig")
        decisions = pd.read_csv(io.StringIO(raw), dtype=str, keep_default_na=False)
        decisions["turn"] = decisions["turn"].astype(int)
    except (UnicodeDecodeError, ValueError, KeyError, pd.errors.ParserError) as exc:
        raise InputError(
            [Problem("CSC-E3634", f"the decisions are not a readable CSV ({exc})",
                     file=str(decisions_file),
                     fix="columns transcript_id, turn, code, decision, decided_by")]
        ) from exc  # fmt: skip
    codings = loaded.table("interview_codings")
    result = reconcile(codings, decisions)
    settled = set(result.record["transcript_id"])
    kept = codings[~((codings["pass"] == "reconciled") & codings["transcript_id"].isin(settled))]
    frames = [f for f in (kept, result.codings) if not f.empty]
    merged = pd.concat(frames, ignore_index=True) if frames else kept
    old = read_checked(project, RECONCILIATIONS)
    record = pd.concat([old[~old["transcript_id"].isin(settled)], result.record], ignore_index=True)
    write_tables(project, {CODINGS: merged, RECONCILIATIONS: record})
    return result


def quotes_frame(project: Path) -> pd.DataFrame:
    """A quote per row (quotable coded turns only, after consent): source, turn, speaker role,
    site, time point, code and text, for the evaluation team's spreadsheet."""
    loaded = load_interviews_project(project)
    result = analyse_interviews(StrandInputs.of(loaded))
    q = result.quotes
    return pd.DataFrame(
        {
            "source": q["transcript_id"],
            "turn": q["turn"],
            "speaker_role": q["role"],
            "site": q["la_code"].map(lambda c: result.site_names.get(c, c)),
            "la_code": q["la_code"],
            "time_point": q["time_point"],
            "code": q["code"],
            "text": q["text"],
        },
        columns=QUOTE_COLUMNS,
    )


def write_quotes(project: Path, out: Path) -> int:
    """Write the quotes as CSV, or XLSX when ``out`` ends ``.xlsx``; cells that a spreadsheet
    would run as formulas are neutralised. Returns the number of rows."""
    frame = neutralise_frame(quotes_frame(project))
    if out.suffix.lower() == ".xlsx":
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, sheet_name="quotes", engine="openpyxl")
        data = buffer.getvalue()
    else:
        data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    write_files({out: data}, out)
    return len(frame)


def export_qdc(project: Path, out: Path) -> int:
    """Write the project's codebook (or the default) as a REFI-QDA ``.qdc``; returns bytes."""
    codebook = load_interviews_project(project).files["interview_codebook"] or default_codebook()
    data = qdc_bytes(codebook)
    write_files({out: data}, out)
    return len(data)


def import_qdc(project: Path, file: Path) -> int:
    """Make a ``.qdc`` the project's codebook (refused, CSC-E3617, when it has one); returns the
    number of codes."""
    codebook = read_qdc(read_bounded(file, 5_000_000), file.name)
    if (project / CODEBOOK_FILE).is_file():
        raise InputError(
            [Problem("CSC-E3617", "the project already has a codebook", file=CODEBOOK_FILE,
                     fix="merge by hand, or remove the file first")]
        )  # fmt: skip
    load_interviews_project(project)  # the project must be readable before anything is added
    write_files({project / CODEBOOK_FILE: codebook_to_toml(codebook).encode("utf-8")}, project)
    return len(codebook.codes)


def _apply(project: Path, edited: Edited) -> Edited:
    """Write the edited codebook, codings and memos together (all or nothing)."""
    frames = {CODINGS: edited.codings}
    if edited.memos is not None and not edited.memos.empty:
        frames[MEMOS] = edited.memos
    write_tables(project, frames, {CODEBOOK_FILE: codebook_to_toml(edited.codebook)})
    return edited


def project_merge(project: Path, sources: list[str], into: str) -> Edited:
    """Merge codes of the project's codebook (the default one if it has none), carrying the
    codings and memos, and store the new version."""
    loaded = load_interviews_project(project)
    codebook = loaded.files["interview_codebook"] or default_codebook()
    edited = merge(codebook, loaded.table("interview_codings"), sources, into,
                   loaded.table("interview_memos"))  # fmt: skip
    return _apply(project, edited)


def project_split(project: Path, code: str, new: Code, segments: list[str]) -> Edited:
    """Split a code: add ``new`` and move to it the codings listed by coding_id or segment key.
    Without a parent or box of its own, the new code takes the split code's (a sibling)."""
    loaded = load_interviews_project(project)
    codebook = loaded.files["interview_codebook"] or default_codebook()
    old = next((c for c in codebook.codes if c.id == code), None)
    if old is not None:
        new = replace(new, parent=new.parent or old.parent, toc_node=new.toc_node or old.toc_node)
    edited = split(
        codebook, loaded.table("interview_codings"), code, [SplitRule(new, tuple(segments))]
    )
    return _apply(project, edited)
