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

from csceval.cli.options import json_option, out_option, panel_options, quiet_option, seed_option
from csceval.impact.calibrate import LABELS
from csceval.impact.calibrate import METHODS as CALIBRATION_METHODS
from csceval.impact.calibrate import calibrate as run_calibration
from csceval.impact.panel_io import estimator_input, parse_adoption_years, read_synth_panel
from csceval.strands.impact.project_calibration import calibrate_project, write_project_calibration
from csceval.strands.impact.recovery import STRENGTHS, run_recovery, summarise, verdict_rates
from csceval.terminal import cannot_write, count_bar, fail, print_json, reported
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
    type=click.Choice(list(CALIBRATION_METHODS)),
    help="A method to calibrate (repeat for several) [default: all].",
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
    default=200,
    show_default=True,
    help="How many synthetic Englands to simulate and analyse.",
)
@seed_option(1, help="Seed of the first synthetic England; the others follow it (SEED+1, ...).")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes.",
)
@click.option(
    "--alpha", type=ALPHA, default=0.05, show_default=True, help="Nominal level of the tests."
)
@out_option("Also write every seed's estimates to this CSV file.", required=False)
@quiet_option
@json_option
def recovery(
    n_seeds: int,
    seed: int,
    jobs: int,
    alpha: float,
    out: Path | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Bias, coverage and rejection rates of the impact strand on synthetic England."""
    seeds = range(seed, seed + n_seeds)
    with count_bar(not (quiet or as_json), "simulating and estimating", n_seeds) as tick:
        rows = run_recovery(seeds, jobs=jobs, progress=tick)
    if out is not None:
        try:
            rows.to_csv(out, index=False)
        except OSError as exc:
            fail(cannot_write(out, exc))
    summary, verdicts = summarise(rows, alpha), verdict_rates(rows)
    if as_json:
        print_json(
            {
                "seeds": [seeds.start, seeds.stop - 1],
                "alpha": alpha,
                "summary": summary.to_dict(orient="records"),
                "verdicts": verdicts.to_dict(orient="records"),
            }
        )
        return
    console.print(f"{n_seeds} seeds ({seeds.start}-{seeds.stop - 1}); nominal level {alpha:g}")
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


@click.command(name="calibrate-project")
@click.argument("project_dir", metavar="PROJECT", type=click.Path(path_type=Path))
@click.option(
    "--draws",
    "n_draws",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Pseudo-pilot sets to draw per indicator.",
)
@click.option(
    "--sdid-draws",
    type=click.IntRange(min=1),
    help="Draws for synthetic DiD (slower) [default: --draws].",
)
@seed_option(0)
@click.option(
    "--write",
    is_flag=True,
    help="Save PROJECT/impact_calibration.json; the report then quotes these sizes.",
)
@quiet_option
@json_option
def calibrate_project_command(
    project_dir: Path,
    n_draws: int,
    sdid_draws: int | None,
    seed: int,
    write: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Real size of the report's impact tests on a project's own comparators and design."""
    from csceval.pipeline import load_project

    with reported():
        project = load_project(project_dir)
        with count_bar(not (quiet or as_json), "calibrating", None) as tick:
            results = estimator_input(
                project_dir,
                lambda: calibrate_project(
                    project,
                    n_draws=n_draws,
                    sdid_draws=sdid_draws,
                    seed=seed,
                    progress=lambda indicator, done: tick(done, f"calibrating {indicator}"),
                ),
            )
    try:
        path = write_project_calibration(project, results) if write else None
    except OSError as exc:
        fail(cannot_write(project_dir, exc))
    if as_json:
        print_json({"results": [r.to_dict() for r in results]})
        return
    for result in results:
        for stat in result.methods.values():
            console.print(
                f"{result.outcome}: {LABELS[stat.method]}: size {stat.size:.3f} "
                f"(MC error {stat.size_mc_error:.3f}, {stat.tests} tests, {result.n_draws} draws)"
            )
    if path is not None:
        console.print(f"Wrote {path}: the report now quotes these sizes.")
