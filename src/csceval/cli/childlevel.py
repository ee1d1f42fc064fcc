"""``csceval simulate-child-level``: synthetic CIN census and SSDA903 files for chosen LA-years."""

from __future__ import annotations

from pathlib import Path

import click

from csceval.cli.options import out_option, seed_option
from csceval.errors import Problem
from csceval.terminal import cannot_write, fail
from csceval.terminal import out as console


@click.command("simulate-child-level")
@out_option("Folder to write: PATH/<la>/<year>/ and PATH/known_values.csv.")
@seed_option(2018, help="Seed of the synthetic England the files match (as `csceval simulate`).")
@click.option(
    "--la", "las", multiple=True, help="LA code (repeat for several) [default: the pilots]."
)
@click.option(
    "--year",
    "years",
    multiple=True,
    type=int,
    help="Collection year ending 31 March (repeat for several) [default: 2024].",
)
def simulate_child_level_command(
    out: Path, seed: int, las: tuple[str, ...], years: tuple[int, ...]
) -> None:
    """Write child-level files (CIN census XML, SSDA903 CSV and XML) matching the panel.

    Files go to PATH/<la>/<year>/; PATH/known_values.csv holds the LA-year values they reproduce.
    Opt-in and separate from `csceval simulate`, so the demo does not pay for it."""
    from csceval.simulate import simulate_world
    from csceval.simulate.childlevel import (
        ChildLevelError,
        known_values,
        simulate_child_level,
        write_child_level,
    )

    world = simulate_world(seed)
    codes = las or tuple(p.la_code for p in world.design.pilots)
    chosen = years or (2024,)
    panel = world.panel
    problems = [
        Problem(
            "CSC-E4151",
            f"LA {la} has no values for {year} in the simulated panel",
            column="--la/--year",
            value=f"{la} {year}",
            fix="Choose an LA code and a year 2010-2025 where the LA exists.",
        )
        for la in codes
        for year in chosen
        if not ((panel["la_code"] == la) & (panel["year"] == year)).any()
    ]
    if problems:
        fail(*problems)
    made = []
    try:
        for la in codes:
            for year in chosen:
                files = simulate_child_level(panel, la, year, seed)
                write_child_level(files, out / la / str(year))
                made.append(files)
        known_values(made).to_csv(out / "known_values.csv", index=False)
    except ChildLevelError as exc:
        fail(Problem("CSC-E4152", str(exc), value=str(exc).split(":")[0]))
    except OSError as exc:
        fail(cannot_write(out, exc))
    console.print(f"Wrote child-level files for {len(made)} LA-years -> {out}")
