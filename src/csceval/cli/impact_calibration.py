"""``csceval impact calibrate|recovery|calibrate-project``: how the impact tests really behave.

``calibrate`` measures each test's real size and coverage on pseudo-pilots drawn from any panel,
``recovery`` checks the impact strand against synthetic England's known effects, and
``calibrate-project`` measures the report's tests on a project's own comparators and design.
The commands join the ``impact`` group in :mod:`csceval.cli.impact`.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import click
import pandas as pd

from csceval.atomic import write_file
from csceval.cli.options import (
    executor_options,
    json_option,
    out_option,
    panel_options,
    quiet_option,
    seed_option,
)
from csceval.impact.calibrate import ALL_METHODS
from csceval.impact.calibrate import METHODS as CALIBRATION_METHODS
from csceval.impact.calibrate import calibrate as run_calibration
from csceval.impact.panel_io import estimator_input, parse_adoption_years, read_synth_panel
from csceval.strands.impact.project_calibration import (
    analysed_with,
    design_summary,
    project_design,
    summary_lines,
    write_project_calibration,
)
from csceval.strands.impact.recovery import STRENGTHS, run_recovery, summarise, verdict_rates
from csceval.strands.impact.recovery_blocks import (
    BLOCK_SPACING,
    block_consistency,
    block_seeds,
    familywise_rates,
    summarise_blocks,
)
from csceval.terminal import (
    cannot_write,
    check_file_out,
    count_bar,
    fail,
    print_json,
    reported,
)
from csceval.terminal import out as console

ALPHA = click.FloatRange(0, 1, min_open=True, max_open=True)


@click.command()
@panel_options(outcome=False)
@click.option(
    "--outcome",
    "outcomes",
    required=True,
    multiple=True,
    help="Column of an outcome to calibrate on (repeat for several).",
)
@click.option(
    "--adoption-years",
    required=True,
    help="The pilots' adoption years, one per pilot, comma-separated (e.g. 2019,2019,2020).",
)
@click.option("--exclude", multiple=True, help="A unit never drawn (the real adopters; repeat).")
@click.option(
    "--method",
    "methods",
    multiple=True,
    type=click.Choice(list(ALL_METHODS)),
    help="A method to calibrate (repeat for several) [default: all but the opt-in random_trend].",
)
@click.option(
    "--draws",
    "n_draws",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Pseudo-pilot sets to draw.",
)
@click.option("--alpha", type=ALPHA, default=0.05, show_default=True, help="Nominal test level.")
@seed_option(0)
@click.option(
    "--synth-draws",
    type=click.IntRange(min=1),
    default=199,
    show_default=True,
    help="Draws of the pooled synthetic-control randomization test.",
)
@click.option(
    "--bootstrap",
    "n_boot",
    type=click.IntRange(min=1),
    default=499,
    show_default=True,
    help="Callaway-Sant'Anna multiplier-bootstrap draws.",
)
@click.option(
    "--sdid-se",
    type=click.Choice(["jackknife", "placebo"]),
    default="jackknife",
    show_default=True,
    help="How synthetic DiD's standard error is estimated.",
)
@click.option(
    "--sdid-reps",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Placebo replications (with --sdid-se placebo).",
)
@click.option(
    "--log", is_flag=True, help="Analyse the log of the outcome (as the report does for rates)."
)
@executor_options
@quiet_option
@json_option
def calibrate(
    path: Path,
    unit: str,
    time_col: str,
    outcomes: tuple[str, ...],
    adoption_years: str,
    exclude: tuple[str, ...],
    methods: tuple[str, ...],
    n_draws: int,
    alpha: float,
    seed: int,
    synth_draws: int,
    n_boot: int,
    sdid_se: str,
    sdid_reps: int,
    log: bool,
    jobs: int,
    scheduler: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Real size and coverage of each test on pseudo-pilots drawn from non-adopters."""
    results = []
    with reported():
        years = parse_adoption_years(adoption_years)
        columns = {f"outcome {o}": o for o in outcomes}
        _, panel = read_synth_panel(
            path, unit=unit, time=time_col, variables=list(outcomes), columns=columns
        )
        for outcome in outcomes:
            with count_bar(not (quiet or as_json), f"calibrating {outcome}", n_draws) as tick:
                run = partial(
                    run_calibration,
                    panel,
                    outcome,
                    years,
                    exclude=exclude,
                    methods=methods or CALIBRATION_METHODS,
                    n_draws=n_draws,
                    alpha=alpha,
                    seed=seed,
                    synth_draws=synth_draws,
                    n_boot=n_boot,
                    sdid_inference=sdid_se,
                    sdid_reps=sdid_reps,
                    log=log,
                    progress=tick,
                    jobs=jobs,
                    scheduler=scheduler,
                )
                results.append(estimator_input(path, run))
    if as_json:
        print_json({"results": [r.to_dict() for r in results]})
        return
    for result in results:
        console.print(
            f"{result.outcome}: {result.n_draws} draws of {len(result.adoption_years)} "
            f"pseudo-pilots from {result.n_candidates} candidates, "
            f"{result.years[0]}-{result.years[1]}; nominal level {result.alpha:g}"
        )
        for stat in result.methods.values():
            size = f"size {stat.size:.3f} (MC error {stat.size_mc_error:.3f}, {stat.tests} tests)"
            cover = (
                f"; coverage {stat.coverage:.3f} ({stat.coverage_mc_error:.3f})"
                if stat.intervals
                else ""
            )
            failed = f"; {stat.failures} failed" if stat.failures else ""
            console.print(f"  {stat.to_dict()['label']}: {size}{cover}{failed}")


@click.command()
@click.option(
    "--seeds",
    "n_seeds",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="How many synthetic Englands to simulate and analyse per block.",
)
@seed_option(1, help="Seed of the first synthetic England; the others follow it (SEED+1, ...).")
@click.option(
    "--blocks",
    "n_blocks",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Disjoint seed blocks, reported separately and tested for consistency.",
)
@click.option(
    "--block-spacing",
    type=click.IntRange(min=1),
    default=BLOCK_SPACING,
    show_default=True,
    help="Seeds between the starts of consecutive blocks (SEED, SEED+SPACING, ...).",
)
@executor_options
@click.option(
    "--alpha", type=ALPHA, default=0.05, show_default=True, help="Nominal level of the tests."
)
@out_option("Also write every seed's estimates to this CSV file.", required=False)
@quiet_option
@json_option
def recovery(
    n_seeds: int,
    seed: int,
    n_blocks: int,
    block_spacing: int,
    jobs: int,
    scheduler: str | None,
    alpha: float,
    out: Path | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Bias, coverage and rejection rates of the impact strand on synthetic England."""
    if n_seeds > block_spacing and n_blocks > 1:
        raise click.BadParameter(
            f"{n_seeds} seeds per block would overlap blocks {block_spacing} seeds apart",
            param_hint="--seeds",
        )
    if out is not None:
        check_file_out(out)  # before minutes of simulation, not after
    blocks = block_seeds(n_blocks, n_seeds, seed, block_spacing)
    seeds = [s for block in blocks for s in block]
    bar = count_bar(not (quiet or as_json), "simulating and estimating", len(seeds))
    with reported(), bar as tick:
        rows = run_recovery(seeds, jobs=jobs, progress=tick, scheduler=scheduler)
    if out is not None:
        try:
            write_file(out, rows.to_csv(index=False).encode("utf-8"))
        except OSError as exc:
            fail(cannot_write(out, exc))
    summary, verdicts = summarise(rows, alpha), verdict_rates(rows)
    by_block = summarise_blocks(rows, blocks, alpha)
    consistency = block_consistency(by_block)
    familywise = familywise_rates(rows, blocks)
    spans = [[b.start, b.stop - 1] for b in blocks]
    if as_json:
        print_json(
            {
                "seeds": spans,
                "alpha": alpha,
                "summary": summary.to_dict(orient="records"),
                "verdicts": verdicts.to_dict(orient="records"),
                "blocks": by_block.to_dict(orient="records"),
                "consistency": consistency.to_dict(orient="records"),
                "familywise": familywise.to_dict(orient="records"),
            }
        )
        return
    ranges = ", ".join(f"{a}-{b}" for a, b in spans)
    noun = "seed" if len(seeds) == 1 else "seeds"
    console.print(f"{len(seeds)} {noun} ({ranges}); nominal level {alpha:g}; all blocks pooled:")
    for indicator, block in summary.groupby("indicator", sort=False):
        first = block.iloc[0]
        console.print(f"{indicator} ({first['effect']}, mean truth {first['mean_truth']:.3f}):")
        for r in block.itertuples():
            cover = f"; coverage {r.coverage:.3f}" if r.intervals else ""
            reject = f"; rejects {r.rejection:.3f}" if r.tests else ""
            console.print(
                f"  {r.method}: bias {r.bias:+.3f} (MC error {r.bias_mc_error:.3f}), "
                f"RMSE {r.rmse:.3f}{cover}{reject}"
            )
    console.print("strength of evidence in the report (share of seeds):")
    for v in verdicts.itertuples():
        shares = ", ".join(f"{k} {getattr(v, k):.3f}" for k in STRENGTHS)
        console.print(f"  {v.indicator} ({v.effect}): {shares}")
    _print_blocks(by_block, consistency, familywise)


def _print_blocks(
    by_block: pd.DataFrame, consistency: pd.DataFrame, familywise: pd.DataFrame
) -> None:
    """Each block's bias (MC error), coverage, rejection and verdict rate; drift across blocks;
    the family-wise rate of "moderate or stronger" on the null indicators."""
    console.print("per block (bias beyond 3 MC errors marked !):")
    for r in by_block.itertuples():
        mark = " !" if r.bias_flag else ""
        console.print(
            f"  block {r.block} ({r.first_seed}-{r.last_seed}) {r.indicator} {r.method}: "
            f"bias {r.bias:+.3f} ({r.bias_mc_error:.3f}){mark}; coverage {r.coverage:.3f}; "
            f"rejects {r.rejection:.3f}; moderate or stronger {r.moderate_or_stronger:.3f}"
        )
    console.print("consistency of the blocks' biases (chi-square; drift when p < 0.01):")
    for c in consistency.itertuples():
        drift = " DRIFT" if c.drift else ""
        console.print(
            f"  {c.indicator} {c.method}: chi2 {c.chi_square:.2f} on {c.df} df, "
            f"p {c.p_value:.3f}{drift}"
        )
    console.print("any null indicator moderate or stronger (share of seeds per block):")
    for f in familywise.itertuples():
        console.print(
            f"  block {f.block} ({f.first_seed}-{f.last_seed}): {f.familywise:.3f} "
            f"(MC error {f.familywise_mc_error:.3f}; {f.null_indicators} null indicators)"
        )


@click.command(name="calibrate-project")
@click.argument("project_dir", metavar="PROJECT", type=click.Path(path_type=Path))
@click.option(
    "--draws",
    "n_draws",
    type=click.IntRange(min=1),
    help="Pseudo-pilot sets to draw [default: the project's [impact] calibration_draws].",
)
@click.option(
    "--seed",
    type=int,
    help="Seed of the draws [default: the project's [impact] calibration_seed].",
)
@click.option(
    "--no-cache", is_flag=True, help="Draw afresh: neither read nor write the calibration cache."
)
@click.option(
    "--write",
    is_flag=True,
    help="Save PROJECT/impact_calibration.json: an override of the sizes the report measures.",
)
@executor_options
@quiet_option
@json_option
def calibrate_project_command(
    project_dir: Path,
    n_draws: int | None,
    seed: int | None,
    no_cache: bool,
    write: bool,
    jobs: int,
    scheduler: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Sizes, MDEs and verdict rates of the report's impact tests on a project's own design.

    The same draws (and, by default, the same cache entry) as `csceval run`, so the figures
    are the ones the report quotes.
    """
    from csceval.pipeline import load_project

    with reported():
        project = load_project(project_dir)
        design = estimator_input(
            project_dir,
            lambda: project_design(
                project,
                draws=n_draws,
                seed=seed,
                cache=not no_cache,
                jobs=jobs,
                scheduler=scheduler,
                progress=not (quiet or as_json),
            ),
        )
        result = analysed_with(project, design)
    try:
        path = write_project_calibration(project, result) if write else None
    except OSError as exc:
        fail(cannot_write(project_dir, exc))
    summary = design_summary(result)
    if as_json:
        print_json(summary)
        return
    for line in summary_lines(summary):
        console.print(line)
    if path is not None:
        console.print(f"Wrote {path}: the report now quotes these sizes.")
