"""``csceval data``: build the LA x year panel from DfE files, and fetch the current files.

Mistakes end in coded messages (CSC-E40xx) and exit status 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from csceval.cli.options import out_option, quiet_option
from csceval.errors import InputError
from csceval.terminal import fail, progress_bar
from csceval.terminal import out as console


@click.group("data")
def data_group() -> None:
    """DfE open data: build the key-indicator panel, fetch the current files."""


@data_group.command("build-panel")
@click.argument("source", type=click.Path(path_type=Path))
@out_option("Folder to write the panel and the project data tables to.")
@click.option(
    "--neighbours",
    type=click.Choice(["2025", "2021"]),
    default="2025",
    show_default=True,
    help="Which DfE statistical-neighbour model to write.",
)
@quiet_option
def build_panel_command(source: Path, out: Path, neighbours: str, quiet: bool) -> None:
    """Build the LA x year panel and the project data tables from SOURCE (laid out like
    shared/data) into --out."""
    from csceval.data.panel import build_panel, rate_agreement, write_panel

    if not source.is_dir():
        raise click.BadParameter(f"{source} is not a folder", param_hint="SOURCE")
    try:
        with progress_bar(not quiet) as progress:
            panel = build_panel(source, neighbours_model=neighbours, progress=progress)
            written = write_panel(panel, out)
    except InputError as exc:
        fail(*exc.problems)
    agreement = rate_agreement(panel)
    n_las = len(panel.local_authorities)
    years = panel.long["year"]
    console.print(
        f"Built a panel of {n_las} LAs, {years.min()}-{years.max()}, "
        f"{panel.long['indicator'].nunique()} indicators ({len(panel.long):,} values)."
    )
    for row in agreement.itertuples():
        console.print(
            f"  {row.indicator}: derived rate equals DfE's published rate in "
            f"{row.pct_equal}% of {row.la_years} LA-years"
        )
    if panel.agreement is not None and len(panel.agreement):
        pairs = panel.agreement
        worst = pairs.loc[pairs["pct_within_tolerance"].idxmin()]
        console.print(
            f"  {len(pairs)} pairs of overlapping sources checked ({pairs['tolerance'].iat[0]}); "
            f"least agreement: {worst['indicator']}, {worst['source_a']} / {worst['source_b']}, "
            f"{worst['pct_within_tolerance']}% (source_agreement.csv)"
        )
    if panel.breaks is not None:
        console.print(f"  {len(panel.breaks)} series breaks listed in series_breaks.csv")
    console.print(f"Wrote {len(written)} files to {out}")


@data_group.command("fetch")
@out_option("Folder to download the files into.")
@click.option(
    "--manifest",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="CSV with name,url columns [default: the DfE files build-panel needs].",
)
@click.option(
    "--retries",
    default=3,
    show_default=True,
    type=click.IntRange(0, 10),
    help="Attempts after a failed download, per file.",
)
@quiet_option
def fetch_command(out: Path, manifest: Path | None, retries: int, quiet: bool) -> None:
    """Download the current DfE files into --out, with a .sha256 beside each."""
    from csceval.data.fetch import DEFAULT_MANIFEST, fetch, read_manifest

    try:
        items = read_manifest(manifest) if manifest else list(DEFAULT_MANIFEST)
        with progress_bar(not quiet) as progress:
            written = fetch(out, items, retries=retries, progress=progress)
    except InputError as exc:
        fail(*exc.problems)
    console.print(f"Downloaded {len(items)} files into {out} ({len(written)} files written).")
