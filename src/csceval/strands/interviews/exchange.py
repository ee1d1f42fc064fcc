"""The library functions behind the CLI: import a transcript or a ``.qdpx``, export, agreement.

Every function reads through the contract, raises :class:`~csceval.errors.InputError` with coded
problems, and writes nothing until everything has been read and checked (then aside, renamed).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from csceval.errors import InputError, Problem
from csceval.formula_injection import neutralise_frame
from csceval.strands.interviews.agreement import Agreement, agreement
from csceval.strands.interviews.analysis import analyse_interviews
from csceval.strands.interviews.codebook import CODEBOOK_FILE, Code, Codebook, default_codebook
from csceval.strands.interviews.codebook_edit import codebook_to_toml
from csceval.strands.interviews.fieldwork import apply_consent
from csceval.strands.interviews.project_io import load_interviews_project
from csceval.strands.interviews.qdpx_export import qdpx_bytes
from csceval.strands.interviews.qdpx_import import codings_frame, read_qdpx
from csceval.strands.interviews.store import (
    StoredTranscript,
    deidentify_memos,
    deidentify_turns,
    project_names,
    read_checked,
    write_files,
    write_tables,
)
from csceval.strands.interviews.tables import CODINGS, INTERVIEWS, MEMOS, REDACTIONS, TURNS
from csceval.strands.interviews.transcripts import MAX_DOCX_BYTES, read_transcript
from csceval.strands.strand import StrandInputs


def read_bounded(path: Path, limit: int) -> bytes:
    """A file's bytes, refused (CSC-E3602/E3601) before reading when too large or missing."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(
                [
                    Problem(
                        "CSC-E3602",
                        f"the file is {size:,} bytes, more than the {limit:,} allowed",
                        file=str(path),
                    )
                ]
            )
        return path.read_bytes()
    except OSError as exc:
        raise InputError(
            [Problem("CSC-E3601", f"cannot read the file ({exc.strerror})", file=str(path))]
        ) from exc


def import_transcript(
    project: Path, file: Path, transcript_id: str, speakers: Mapping[str, str]
) -> StoredTranscript:
    """De-identify a transcript file and add it to the project."""
    turns = read_transcript(read_bounded(file, MAX_DOCX_BYTES), file.name)
    stored = deidentify_turns(transcript_id, turns, project_names(project), speakers, file.name)
    _store(project, [stored], pd.DataFrame(columns=list(CODINGS.column_names)))
    return stored


def _store(
    project: Path,
    stored: list[StoredTranscript],
    codings: pd.DataFrame,
    codebook: list[Code] | None = None,
    memos: pd.DataFrame | None = None,
) -> None:
    interviews = read_checked(project, INTERVIEWS)
    turns, redactions = read_checked(project, TURNS), read_checked(project, REDACTIONS)
    old_codings = read_checked(project, CODINGS)
    problems = [
        Problem(
            "CSC-E3608",
            "the transcript id is not an interview in data/interviews.csv, or it is already stored",
            file=TURNS.file,
            value=s.transcript_id,
            fix="add the interview first; to replace a transcript, delete its rows first",
        )
        for s in stored
        if s.transcript_id not in set(interviews["interview_id"])
        or s.transcript_id in set(turns["transcript_id"])
    ]
    if problems:
        raise InputError(problems)
    frames = {
        TURNS: _concat(turns, *(s.turns for s in stored)),
        REDACTIONS: _concat(redactions, *(s.redactions for s in stored)),
    }
    if not codings.empty:
        frames[CODINGS] = _concat(old_codings, codings)
    if memos is not None and not memos.empty:
        frames[MEMOS] = _concat(read_checked(project, MEMOS), _fresh_ids(project, memos))
    extra = {CODEBOOK_FILE: codebook_toml(codebook)} if codebook else {}
    write_tables(project, frames, extra)


def _fresh_ids(project: Path, memos: pd.DataFrame) -> pd.DataFrame:
    """Imported memos, renumbered where an id is already taken in the project."""
    taken = set(read_checked(project, MEMOS)["memo_id"])
    ids, k = [], 0
    for memo_id in memos["memo_id"]:
        while memo_id in taken:
            k += 1
            memo_id = f"M-{k:04d}"
        taken.add(memo_id)
        ids.append(memo_id)
    return memos.assign(memo_id=ids)


def _concat(*frames: pd.DataFrame) -> pd.DataFrame:
    """Rows of all frames (empty frames left out, so that column types come from the data)."""
    full = [f for f in frames if not f.empty]
    return pd.concat(full, ignore_index=True) if full else frames[0]


def codebook_toml(codes: list[Code]) -> str:
    """A codebook file for imported codes (every field kept)."""
    book = Codebook("imported", "1.0", "Imported codebook", tuple(codes))
    return "# Codebook imported from a REFI-QDA project.\n" + codebook_to_toml(book)


def import_qdpx(project: Path, file: Path, speakers: Mapping[str, str]) -> list[StoredTranscript]:
    """Import every text source of a ``.qdpx`` with its codings (and codebook if none yet)."""
    imported = read_qdpx(read_bounded(file, 50_000_000), file.name)
    names = project_names(project)
    has_codebook = (project / CODEBOOK_FILE).is_file()
    known = set(
        load_interviews_project(project).files["interview_codebook"].codable if has_codebook else ()
    )
    problems = [
        Problem(
            "CSC-E3626",
            "the code is not in the project's codebook",
            file=file.name,
            value=code,
            fix=f"add it to {CODEBOOK_FILE}",
        )
        for code in sorted({c[2] for s in imported.sources for c in s.codings})
        if has_codebook and code not in known
    ]
    if problems:
        raise InputError(problems)
    stored = [
        deidentify_turns(s.name, list(s.turns), names, speakers, file.name)
        for s in imported.sources
    ]
    codings = _concat(
        pd.DataFrame(columns=list(CODINGS.column_names)),
        *(
            codings_frame(s.name, s, dict(zip(st.turns["turn"], st.turns["text"], strict=True)))
            for s, st in zip(imported.sources, stored, strict=True)
        ),
    )
    memos = deidentify_memos([vars(m) for m in imported.memos], names, speakers)
    _store(project, stored, codings, None if has_codebook else list(imported.codes), memos)
    return stored


def export_qdpx(project: Path, out: Path) -> int:
    """Write the project's transcripts, codebook and codings as ``.qdpx``; returns bytes written."""
    loaded = load_interviews_project(project)
    codebook = loaded.files["interview_codebook"] or default_codebook()
    data = qdpx_bytes(apply_consent(loaded.tables), codebook)
    write_files({out: data}, out)
    return len(data)


def project_agreement(project: Path) -> Agreement:
    """Agreement of the blind double coding in a project, after withdrawals."""
    loaded = load_interviews_project(project)
    codebook = loaded.files["interview_codebook"] or default_codebook()
    return agreement(apply_consent(loaded.tables), codebook.codable)


def write_case_matrix(project: Path, out: Path, wide: bool) -> int:
    """Write the code x case matrix (after withdrawals) as CSV; returns the number of rows.

    ``wide``: one row per case (participant at a time point, with site and role) and a 0/1
    column per code, for R or Excel; otherwise the long form with counts of coded turns and an
    exemplar quote per cell (empty where no turn may be quoted). Pseudonyms only: for the
    evaluation team, not for publication (the report publishes the disclosure-controlled
    tables).
    """
    loaded = load_interviews_project(project)
    result = analyse_interviews(StrandInputs.of(loaded))
    frame = result.code_by_case() if wide else result.case_matrix
    data = neutralise_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
    write_files({out: data}, out)
    return len(frame)
