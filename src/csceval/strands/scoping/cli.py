"""``csceval scoping``: the framework register as at a date, the map, survey imports and review.

Options keep the shared names and meanings of ``csceval.cli.options`` (``--out``, ``--json``).
Every user mistake ends in coded problems and exit status 2; a table is written aside and
renamed when complete.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from csceval.errors import InputError, Problem
from csceval.project.register import register_as_at, register_from_scoping
from csceval.project.tables import FRAMEWORK_REGISTER, LOCAL_AUTHORITIES, REORGANISATIONS
from csceval.terminal import cannot_write, fail, print_json, reported
from csceval.terminal import out as console

PROJECT = click.Path(path_type=Path, file_okay=False)
FILE = click.Path(path_type=Path, dir_okay=False)


def _project_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--project",
        "project",
        required=True,
        type=PROJECT,
        help="The evaluation project folder to write into.",
    )(function)


def _read_bounded(path: Path, limit: int) -> bytes:
    try:
        if path.stat().st_size > limit:
            fail(Problem("CSC-E3501", f"the file is over {limit:,} bytes", str(path)))
        return path.read_bytes()
    except OSError as exc:
        fail(Problem("CSC-E3501", f"cannot read the file ({exc.strerror or exc})", str(path)))


@click.group("scoping")
def scoping() -> None:
    """National scoping: the framework register, its map and the scoping survey."""


@scoping.command("list")
@click.argument("project", type=PROJECT)
@click.option(
    "--as-at",
    "as_at",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="The day to read the register at, YYYY-MM-DD [default: 31 March of periods.last_year].",
)
@click.option("--history", is_flag=True, help="Also list episodes that ended before the day.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the full result as JSON on stdout (for scripts)."
)
def list_command(project: Path, as_at: object, history: bool, as_json: bool) -> None:
    """List the framework register of PROJECT as at a day."""
    from csceval.strands.scoping.analysis import project_register
    from csceval.strands.scoping.project_io import read_inputs

    with reported():
        inputs = read_inputs(project)
    day = as_at.date() if hasattr(as_at, "date") else date(inputs.settings.periods.last_year, 3, 31)
    register, source = project_register(inputs)
    view = register_as_at(register, day, history=history)
    if as_json:
        records = [
            {str(k): (v if _shown(v) else None) for k, v in r.items()}
            for r in view.to_dict("records")
        ]
        print_json({"as_at": day.isoformat(), "source": source, "episodes": records})
        return
    console.print(f"{len(view)} episodes as at {day.isoformat()} ({source})", markup=False)
    for row in view.to_dict("records"):
        since = f" since {row['started']}" if _shown(row["started"]) else ""
        until = f" until {row['ended']}" if _shown(row["ended"]) else ""
        console.print(
            f"{row['la_code']} {row['framework']} ({row['extent']}){since}{until} "
            f"[{row['confidence']}]",
            markup=False,
        )


def _shown(value: object) -> bool:
    return value is not None and value == value and value != ""


@scoping.command("map")
@click.argument("project", type=PROJECT)
@click.option(
    "--out", "out", required=True, type=FILE, metavar="PATH", help="The SVG file to write."
)
@click.option(
    "--year",
    type=int,
    default=None,
    help="Draw the LAs of this year ending 31 March, with the frameworks in use on its last "
    "day [default: periods.last_year].",
)
def map_command(project: Path, out: Path, year: int | None) -> None:
    """Write PROJECT's hex map of frameworks as SVG (as at the end of a year ending 31 March)."""
    from csceval.strands.scoping.analysis import categories_of, las_as_at, project_register
    from csceval.strands.scoping.map_svg import render_map
    from csceval.strands.scoping.project_io import read_inputs
    from csceval.strands.scoping.responses_io import write_atomic

    with reported():
        inputs = read_inputs(project)
        hexes = inputs.tables["la_hexes"]
        if hexes.empty:
            fix = "run csceval scoping hexmap first"
            raise InputError(
                [Problem("CSC-E3512", "the project has no la_hexes.csv", str(project), fix=fix)]
            )
    shown = year or inputs.settings.periods.last_year
    register, _ = project_register(inputs)
    las = las_as_at(register, inputs.table("local_authorities"), date(shown, 3, 31), shown)
    title = f"Practice frameworks of England's LAs as at 31 March {shown}"
    svg = render_map(las, hexes, categories_of(las), title, "scoping-map")
    try:
        write_atomic(out, svg + "\n")
    except OSError as exc:
        fail(cannot_write(out, exc))
    console.print(f"Wrote {out} ({len(las)} LAs, {shown})", markup=False)


@scoping.command("import")
@click.argument("file", type=FILE)
@_project_option
@click.option("--sheet", default=None, help="The sheet holding the responses [default: the first].")
def import_command(file: Path, project: Path, sheet: str | None) -> None:
    """Add the scoping-survey responses in FILE (CSV or XLSX) to PROJECT's responses."""
    from csceval.strands.scoping.project_io import read_tables, write_table
    from csceval.strands.scoping.responses_io import MAX_BYTES, merge_responses, read_responses
    from csceval.strands.scoping.tables import SCOPING_RESPONSES

    content = _read_bounded(file, MAX_BYTES)
    with reported():
        tables = read_tables(project, (LOCAL_AUTHORITIES, SCOPING_RESPONSES))
        known = set(tables["local_authorities"]["la_code"])
        new = read_responses(file.name, content, known, sheet)
        merged = merge_responses(tables["scoping_responses"], new, file.name)
        path = write_table(project, SCOPING_RESPONSES, merged)
    added = len(merged) - len(tables["scoping_responses"])
    console.print(f"Imported {added} new responses ({len(new)} read) into {path}", markup=False)


@scoping.command("review")
@click.argument("project", type=PROJECT)
def review_command(project: Path) -> None:
    """Turn PROJECT's accepted scoping responses into framework-register rows."""
    from csceval.strands.scoping.analysis import project_register
    from csceval.strands.scoping.project_io import read_inputs, write_table
    from csceval.strands.scoping.survey import review_responses

    with reported():
        inputs = read_inputs(project)
        register, _ = project_register(inputs)
        review = review_responses(register, inputs.table("scoping_responses"))
        path = write_table(project, FRAMEWORK_REGISTER, review.register)
    for change in review.changes:
        console.print(change, markup=False)
    console.print(f"Wrote {path} ({len(review.changes)} changes)", markup=False)


@scoping.command("convert")
@click.argument("project", type=PROJECT)
def convert_command(project: Path) -> None:
    """Convert PROJECT's older data/framework_scoping.csv into data/framework_register.csv."""
    from csceval.project.tables import FRAMEWORK_SCOPING
    from csceval.strands.scoping.project_io import read_tables, write_table

    with reported():
        tables = read_tables(project, (FRAMEWORK_SCOPING, FRAMEWORK_REGISTER))
        if not tables["framework_register"].empty:
            raise InputError(
                [
                    Problem(
                        "CSC-E3520",
                        "the project already has a register",
                        FRAMEWORK_REGISTER.file,
                        fix="edit the register; convert only starts one",
                    )
                ]
            )
        rows = register_from_scoping(tables["framework_scoping"], date.today())
        path = write_table(project, FRAMEWORK_REGISTER, rows)
    console.print(f"Wrote {path} ({len(rows)} episodes)", markup=False)


@scoping.command("hexmap")
@click.argument("hexjson", type=FILE)
@_project_option
@click.option(
    "--la-reference",
    "la_reference",
    type=FILE,
    default=None,
    help="An EES las.csv matching GSS codes to 3-digit LA numbers [default: the "
    "project's gss_code column and csceval's list of retired codes].",
)
def hexmap_command(hexjson: Path, project: Path, la_reference: Path | None) -> None:
    """Write PROJECT's data/la_hexes.csv from HEXJSON, a hex layout such as the 2020 UTLA map."""
    from csceval.data.la_reference import read_las
    from csceval.strands.scoping.hexes import MAX_HEXJSON_BYTES, hexes_for_project, parse_hexjson
    from csceval.strands.scoping.project_io import read_tables, write_table
    from csceval.strands.scoping.tables import LA_HEXES

    content = _read_bounded(hexjson, MAX_HEXJSON_BYTES)
    with reported():
        hexes = parse_hexjson(content, str(hexjson))
        tables = read_tables(project, (LOCAL_AUTHORITIES, REORGANISATIONS))
        reference = None
        if la_reference is not None:
            las = read_las(la_reference)
            reference = dict(zip(las["gss_code"], las["la_code"], strict=True))
        frame, problems = hexes_for_project(
            hexes, tables["local_authorities"], tables["reorganisations"], reference
        )
        if problems:
            raise InputError(problems)
        path = write_table(project, LA_HEXES, frame)
    console.print(f"Wrote {path} ({len(frame)} LAs on {len(hexes)} hexes)", markup=False)
