"""Storing de-identified transcripts in the project: the turns and redaction tables.

A transcript is read (:mod:`~csceval.strands.interviews.transcripts`), each speaker label mapped
to a pseudonym, every turn de-identified (:mod:`~csceval.strands.interviews.deidentify`), and
only then added to ``data/transcript_turns.csv`` with a record of each redaction's kind in
``data/transcript_redactions.csv``. Both tables are written beside the originals and renamed over
them only when both are complete, so a failed import leaves the project as it was.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from csceval.errors import InputError, Problem
from csceval.project.read import read_table
from csceval.project.schema import TableSchema
from csceval.strands.interviews.deidentify import Redaction, Redactor
from csceval.strands.interviews.names import FILE as NAMES_FILE
from csceval.strands.interviews.names import PSEUDONYM, NameLists, parse_names
from csceval.strands.interviews.tables import MEMOS, REDACTIONS, TURNS
from csceval.strands.interviews.transcripts import Turn


@dataclass(frozen=True)
class StoredTranscript:
    """What one import added: the de-identified turns and the redaction record."""

    transcript_id: str
    turns: pd.DataFrame
    redactions: pd.DataFrame

    def report(self) -> dict[str, object]:
        """Counts by kind of what was replaced (never the original text)."""
        by_kind = self.redactions.groupby("kind")["count"].sum().astype(int).to_dict()
        return {
            "transcript_id": self.transcript_id,
            "turns": len(self.turns),
            "redactions": {str(k): int(v) for k, v in by_kind.items()},
        }


def table_csv(schema: TableSchema, frame: pd.DataFrame) -> str:
    """A table as the project stores it: the declared columns in order, UTF-8 CSV."""
    buffer = io.StringIO()
    frame[list(schema.column_names)].to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def deidentify_turns(
    transcript_id: str,
    turns: list[Turn],
    names: NameLists,
    speakers: Mapping[str, str],
    file: str = "",
) -> StoredTranscript:
    """Map speakers to pseudonyms and de-identify every turn (CSC-E3607 for unmapped labels).

    A label that already is a pseudonym (``R-...``, ``I-...``) stands for itself.
    """
    labels = {t.speaker for t in turns}
    mapping = {label: label for label in labels if PSEUDONYM.match(label)}  # already pseudonyms
    mapping |= {**names.speakers, **speakers}
    missing = sorted({t.speaker for t in turns if t.speaker not in mapping})
    bad = sorted(v for v in mapping.values() if not PSEUDONYM.match(v))
    if missing or bad:
        raise InputError(
            [
                *(
                    Problem(
                        "CSC-E3607",
                        "this speaker has no pseudonym",
                        file=file,
                        value=label,
                        fix="map every speaker label with --speaker 'LABEL=R-...' or in "
                        f"{NAMES_FILE} [speakers]",
                    )
                    for label in missing
                ),
                *(
                    Problem(
                        "CSC-E3607",
                        "not a pseudonym (R-... or I-...)",
                        file=file,
                        value=v,
                        fix="give pseudonyms like R-0001 or I-01",
                    )
                    for v in bad
                ),
            ]
        )
    labelled = {k: v for k, v in mapping.items() if not PSEUDONYM.match(k)}  # real names
    redactor = Redactor(NameLists(names.people, names.places, labelled))
    rows, found = [], []
    for number, turn in enumerate(turns, start=1):
        text, redactions = redactor.redact(number, turn.text)
        rows.append(
            {
                "transcript_id": transcript_id,
                "turn": number,
                "speaker": mapping[turn.speaker],
                "start_s": turn.start_s,
                "end_s": turn.end_s,
                "text": text,
            }
        )
        found += redactions
    return StoredTranscript(
        transcript_id,
        pd.DataFrame(rows, columns=list(TURNS.column_names)),
        redaction_frame(transcript_id, found),
    )


def deidentify_memos(
    memos: list[dict[str, str]], names: NameLists, speakers: Mapping[str, str]
) -> pd.DataFrame:
    """Memos (rows of data/interview_memos.csv) with their text de-identified like a turn's."""
    labelled = {k: v for k, v in {**names.speakers, **speakers}.items() if not PSEUDONYM.match(k)}
    redactor = Redactor(NameLists(names.people, names.places, labelled))
    rows = [{**m, "text": redactor.redact(0, m["text"])[0]} for m in memos]
    return pd.DataFrame(rows, columns=list(MEMOS.column_names))


def redaction_frame(transcript_id: str, found: list[Redaction]) -> pd.DataFrame:
    rows = [
        {
            "transcript_id": transcript_id,
            "turn": r.turn,
            "kind": r.kind,
            "tag": r.tag,
            "count": r.count,
        }
        for r in found
    ]
    return pd.DataFrame(rows, columns=list(REDACTIONS.column_names))


def read_checked(project: Path, schema: TableSchema) -> pd.DataFrame:
    """One of the project's tables, read and checked by the contract (InputError if not)."""
    frame, problems = read_table(project, schema)
    if frame is None or problems:
        raise InputError(problems)
    return frame


def project_names(project: Path) -> NameLists:
    """The project's name lists (empty when it has none)."""
    path = project / NAMES_FILE
    return parse_names(path.read_bytes(), NAMES_FILE) if path.is_file() else NameLists()


def write_files(files: Mapping[Path, bytes], where: Path) -> None:
    """Write every file beside its target, then rename each over it once all are written.

    Nothing is replaced unless every file could be written (CSC-E3641 names ``where``).
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target, data in files.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            aside = target.with_name(f".{target.name}.{os.getpid()}.part")
            aside.write_bytes(data)
            staged.append((aside, target))
        for aside, target in staged:
            os.replace(aside, target)
    except OSError as exc:
        for aside, _ in staged:
            aside.unlink(missing_ok=True)
        raise InputError([Problem("CSC-E3641", f"cannot write ({exc.strerror})", file=str(where),
                                  fix="choose a folder you can write to")]) from exc  # fmt: skip


def write_tables(
    project: Path,
    frames: Mapping[TableSchema, pd.DataFrame],
    extra: Mapping[str, str] | None = None,
) -> None:
    """Write tables (and ``extra`` text files) into the project, all or nothing."""
    texts = {s.file: table_csv(s, f) for s, f in frames.items()} | dict(extra or {})
    write_files({project / p: t.encode("utf-8") for p, t in texts.items()}, project)
