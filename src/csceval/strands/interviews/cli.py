"""``csceval qual``: transcripts, de-identification, agreement, reconciliation, REFI-QDA.

The group is named ``qual`` as issue 17 names it (it was ``interviews``; renamed everywhere,
docs included, rather than kept as a hidden alias, because a strand contributes one command
group). Thin over :mod:`~csceval.strands.interviews.exchange` and
:mod:`~csceval.strands.interviews.workflow`. The shared options keep the names and
meanings of ``csceval.cli.options`` (``-q/--quiet``, ``--out``, ``--json``); they are declared
here because a strand may not import the CLI package. Every user mistake ends in coded messages
and exit status 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from csceval.errors import InputError, Problem
from csceval.strands.interviews.codebook import Code
from csceval.strands.interviews.exchange import (
    export_qdpx,
    import_qdpx,
    import_transcript,
    project_agreement,
    write_case_matrix,
)
from csceval.strands.interviews.workflow import (
    export_qdc,
    import_qdc,
    project_merge,
    project_reconcile,
    project_split,
    read_names_csv,
    redact_file,
    write_quotes,
)
from csceval.terminal import out, print_json, reported

PROJECT = click.option(
    "--project",
    "project",
    required=True,
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="The evaluation project folder to add to.",
)
SPEAKER = click.option(
    "--speaker",
    "speakers",
    multiple=True,
    metavar="LABEL=PSEUDONYM",
    show_default=True,
    help="Map a speaker label in the file to a pseudonym (R-... or I-...); repeatable. "
    "Labels may also be mapped in interviews/names.toml [speakers].",
)
JSON = click.option(
    "--json", "as_json", is_flag=True, help="Print the full result as JSON on stdout (for scripts)."
)
QUIET = click.option("-q", "--quiet", is_flag=True, help="No progress bar.")


def _speakers(pairs: tuple[str, ...]) -> dict[str, str]:
    bad = [p for p in pairs if "=" not in p]
    if bad:
        raise InputError(
            [
                Problem(
                    "CSC-E3607",
                    "a --speaker is not LABEL=PSEUDONYM",
                    value=b,
                    fix="write --speaker 'Jane Smith=R-0001'",
                )
                for b in bad
            ]
        )
    return dict(p.rsplit("=", 1) for p in pairs)


@click.group("qual")
def interviews_group() -> None:
    """Interviews and focus groups: transcripts, de-identification, coding agreement, REFI-QDA."""


qual_group = interviews_group


@interviews_group.command("import-transcript")
@click.argument("file", type=click.Path(path_type=Path))
@PROJECT
@click.option(
    "--id",
    "transcript_id",
    default=None,
    show_default=True,
    help="The interview id the transcript belongs to (default: the file's name "
    "without its extension).",
)
@SPEAKER
@JSON
@QUIET
def import_transcript_command(
    file: Path,
    project: Path,
    transcript_id: str | None,
    speakers: tuple[str, ...],
    as_json: bool,
    quiet: bool,
) -> None:
    """De-identify a DOCX, TXT, VTT or SRT transcript and store it in the project."""
    with reported():
        stored = import_transcript(project, file, transcript_id or file.stem, _speakers(speakers))
    report = stored.report()
    if as_json:
        print_json(report)
    elif not quiet:
        out.print(
            f"Stored {report['turns']} turns of {stored.transcript_id}; replaced: "
            f"{report['redactions'] or 'nothing'}",
            markup=False,
        )


@interviews_group.command("import-qdpx")
@click.argument("file", type=click.Path(path_type=Path))
@PROJECT
@SPEAKER
@JSON
@QUIET
def import_qdpx_command(
    file: Path, project: Path, speakers: tuple[str, ...], as_json: bool, quiet: bool
) -> None:
    """Import a REFI-QDA project (.qdpx): transcripts (de-identified), codes and codings."""
    with reported():
        stored = import_qdpx(project, file, _speakers(speakers))
    if as_json:
        print_json([s.report() for s in stored])
    elif not quiet:
        out.print(f"Imported {len(stored)} transcript(s) from {file.name}", markup=False)


@interviews_group.command("export-qdpx")
@click.argument("project", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="The .qdpx file to write.",
)
@QUIET
def export_qdpx_command(project: Path, out_file: Path, quiet: bool) -> None:
    """Export transcripts, codebook and codings as REFI-QDA (.qdpx) for NVivo, ATLAS.ti, ..."""
    with reported():
        size = export_qdpx(project, out_file)
    if not quiet:
        out.print(f"Wrote {out_file} ({size:,} bytes)", markup=False)


@interviews_group.command("agreement")
@click.argument("project", type=click.Path(path_type=Path))
@JSON
def agreement_command(project: Path, as_json: bool) -> None:
    """Intercoder agreement per code on the blind double-coded transcripts."""
    with reported():
        result = project_agreement(project)
    frame = result.to_frame()
    if as_json:
        print_json(
            {
                "transcripts": list(result.transcripts),
                "codes": frame.to_dict("records"),
                "disagreements": result.disagreements.to_dict("records"),
            }
        )
        return
    out.print(
        f"{len(result.transcripts)} transcript(s) coded blind twice; "
        f"{len(result.disagreements)} disagreement(s) to reconcile.",
        markup=False,
    )
    out.print(frame.to_string(index=False, float_format=lambda v: f"{v:.3f}"), markup=False)


@interviews_group.command("matrix")
@click.argument("project", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="The CSV file to write.",
)
@click.option(
    "--wide/--long",
    default=True,
    show_default=True,
    help="A 0/1 column per code and a row per case (wide), or a row per case and "
    "code with counts and an exemplar quote (long).",
)
@QUIET
def matrix_command(project: Path, out_file: Path, wide: bool, quiet: bool) -> None:
    """Write the code x case matrix (cases: participant, site, time point) for R or Excel."""
    with reported():
        rows = write_case_matrix(project, out_file, wide)
    if not quiet:
        out.print(
            f"Wrote {out_file} ({rows} rows; pseudonyms only, not for publication)", markup=False
        )


OUT = click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="The file to write.",
)


@interviews_group.command("redact")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--names",
    "names_file",
    required=True,
    type=click.Path(path_type=Path),
    metavar="NAMES.csv",
    help="A CSV of names to redact: column name, optional column kind (person or place).",
)
@JSON
def redact_command(file: Path, names_file: Path, as_json: bool) -> None:
    """Print a transcript de-identified, and what was replaced; writes nothing anywhere."""
    with reported():
        redacted = redact_file(file, read_names_csv(names_file))
    found = [vars(r) for r in redacted.redactions]
    if as_json:
        print_json(
            {
                "turns": [{"turn": n, "speaker": s, "text": t} for n, s, t in redacted.turns],
                "redactions": found,
            }
        )
        return
    out.print(redacted.text(), markup=False)
    out.print("", markup=False)
    for r in found:
        out.print(f"turn {r['turn']}: {r['kind']} -> {r['tag']} x{r['count']}", markup=False)


@interviews_group.command("reconcile")
@click.argument("project", type=click.Path(path_type=Path))
@click.option(
    "--decisions",
    "decisions_file",
    required=True,
    type=click.Path(path_type=Path),
    metavar="FILE.csv",
    help="The reconciler's decisions: transcript_id, turn, code, decision (apply or omit), "
    "decided_by (a C-... pseudonym).",
)
@JSON
def reconcile_command(project: Path, decisions_file: Path, as_json: bool) -> None:
    """Store the agreed codings of the blind double coding, from the reconciler's decisions."""
    with reported():
        result = project_reconcile(project, decisions_file)
    if as_json:
        print_json(
            {
                "reconciled_codings": len(result.codings),
                "record": result.record.to_dict("records"),
                "pending": result.pending.to_dict("records"),
            }
        )
        return
    out.print(
        f"Stored {len(result.codings)} reconciled coding(s); {len(result.pending)} "
        "disagreement(s) still undecided.",
        markup=False,
    )


@interviews_group.command("quotes")
@click.argument("project", type=click.Path(path_type=Path))
@OUT
@QUIET
def quotes_command(project: Path, out_file: Path, quiet: bool) -> None:
    """Write the quotable coded turns, a quote per row, as CSV or XLSX (by --out's suffix)."""
    with reported():
        rows = write_quotes(project, out_file)
    if not quiet:
        out.print(f"Wrote {out_file} ({rows} quotes; for the evaluation team)", markup=False)


@interviews_group.command("export-qdc")
@click.argument("project", type=click.Path(path_type=Path))
@OUT
@QUIET
def export_qdc_command(project: Path, out_file: Path, quiet: bool) -> None:
    """Export the codebook as a REFI-QDA codebook (.qdc)."""
    with reported():
        size = export_qdc(project, out_file)
    if not quiet:
        out.print(f"Wrote {out_file} ({size:,} bytes)", markup=False)


@interviews_group.command("import-qdc")
@click.argument("file", type=click.Path(path_type=Path))
@PROJECT
@QUIET
def import_qdc_command(file: Path, project: Path, quiet: bool) -> None:
    """Make a REFI-QDA codebook (.qdc) the project's codebook (when it has none)."""
    with reported():
        n = import_qdc(project, file)
    if not quiet:
        out.print(f"Stored a codebook of {n} codes", markup=False)


@interviews_group.command("merge-codes")
@click.argument("project", type=click.Path(path_type=Path))
@click.argument("codes", nargs=-1, required=True)
@click.option("--into", required=True, help="The code the others merge into.")
def merge_codes_command(project: Path, codes: tuple[str, ...], into: str) -> None:
    """Merge CODES into one code, carrying their codings and memos (a new codebook version)."""
    with reported():
        edited = project_merge(project, list(codes), into)
    out.print(f"Codebook version {edited.codebook.version}: {edited.codebook.changes[-1].change}",
              markup=False)  # fmt: skip


@interviews_group.command("split-code")
@click.argument("project", type=click.Path(path_type=Path))
@click.argument("code")
@click.option("--new", "new_id", required=True, help="The new code's id.")
@click.option("--title", required=True, help="The new code's title.")
@click.option("--definition", required=True, help="The new code's definition.")
@click.option(
    "--segment",
    "segments",
    multiple=True,
    metavar="ID",
    help="A coding_id (or segment key) whose coding moves to the new code; repeatable.",
)
def split_code_command(
    project: Path, code: str, new_id: str, title: str, definition: str, segments: tuple[str, ...]
) -> None:
    """Split CODE: add a code (a sibling of CODE) and move the listed codings to it."""
    with reported():
        edited = project_split(project, code, Code(new_id, title, definition), list(segments))
    out.print(f"Codebook version {edited.codebook.version}: {edited.codebook.changes[-1].change}",
              markup=False)  # fmt: skip
