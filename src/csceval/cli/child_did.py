"""``csceval impact child-did DIR``: the child-level matched difference-in-differences.

A thin layer over :mod:`csceval.strands.child_impact.folder`: it reads the pilots and adopters
from the project's ``evaluation.toml`` and framework register, reads the returns under
``DIR/child_level/`` (or the stored cohorts), estimates and writes ``DIR/child_impact.json``,
the strand's declared file, which ``csceval run`` reports. Mistakes end in coded messages and
exit status 2; ``--json`` prints the written result.
"""

from __future__ import annotations

from pathlib import Path

import click

from csceval.cli.options import json_option, quiet_option, seed_option
from csceval.impact.multiplicity import MIN_RANK_DRAWS
from csceval.terminal import cannot_write, fail, out, print_json, progress_bar, reported


@click.command(name="child-did")
@click.argument("project_dir", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--reps",
    type=click.IntRange(min=99),
    default=9999,
    show_default=True,
    help="Wild cluster bootstrap replications.",
)
@click.option(
    "--method",
    "methods",
    type=click.Choice(["cem", "propensity"]),
    multiple=True,
    help="Matching method (repeat for both) [default: cem and propensity].",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Worker processes reading the LAs' returns (LAs whose stored cohorts are current "
    "are not read again).",
)
@click.option(
    "--null-draws",
    type=click.IntRange(min=0),
    default=999,  # the strand's NULL_DRAWS (its modules load only when the command runs)
    show_default=True,
    help="Worlds with no effect (and as many with each outcome's detectable effect) drawn on "
    f"the project's own matched sample to calibrate the words of evidence; under "
    f"{MIN_RANK_DRAWS}: none, and the words rest on the CR2 test alone.",
)
@seed_option(2018)
@quiet_option
@json_option
def child_did(
    project_dir: Path,
    reps: int,
    methods: tuple[str, ...],
    jobs: int,
    null_draws: int,
    seed: int,
    quiet: bool,
    as_json: bool,
) -> None:
    """Matched difference-in-differences on the child-level returns in DIR/child_level/.

    Child ids are pseudonymised on reading with the key in CSCEVAL_PSEUDONYM_KEY (or a random
    key for the run); each LA's cohorts are kept in DIR/child_level/_cohorts/ so a rerun does
    not parse the returns again. Writes DIR/child_impact.json (aggregates only)."""
    from csceval.registry import registered_strands
    from csceval.strands.child_impact.folder import (
        child_impact_from_folder,
        project_sites,
        write_result,
    )
    from csceval.strands.child_impact.pseudonym import pseudonymiser_from_environment

    estimators = tuple(e for s in registered_strands() for e in s.estimators)
    with reported():
        pilots, adopters = project_sites(project_dir, estimators)
        pseudo = pseudonymiser_from_environment()
        with progress_bar(not (quiet or as_json)) as progress:
            result, reused = child_impact_from_folder(
                project_dir,
                pilots,
                adopters,
                pseudo,
                reps=reps,
                seed=seed,
                methods=methods or ("cem", "propensity"),
                progress=progress,
                jobs=jobs,
                null_draws=null_draws,
            )
    try:
        path = write_result(project_dir, result)
    except OSError as exc:
        fail(cannot_write(project_dir, exc))
    if as_json:
        print_json(result.to_json())
        return
    out.print(result.summary(), markup=False)
    stored = f"; cohorts of {reused} LAs reused from the store" if reused else ""
    out.print(f"Wrote {path}{stored}.", markup=False)
