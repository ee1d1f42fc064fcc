"""``csceval interviews``: import transcripts and REFI-QDA projects, agreement, export.

Thin over :mod:`~csceval.strands.interviews.exchange`. The shared options keep the names and
meanings of ``csceval.cli.options`` (``-q/--quiet``, ``--out``, ``--json``); they are declared
here because a strand may not import the CLI package. Every user mistake ends in coded messages
and exit status 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from csceval.errors import InputError, Problem
from csceval.strands.interviews.exchange import (
    export_qdpx,
    import_qdpx,
    import_transcript,
    project_agreement,
    write_case_matrix,
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


@click.group("interviews")
def interviews_group() -> None:
    """Interviews and focus groups: transcripts, coding agreement, REFI-QDA exchange."""


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
