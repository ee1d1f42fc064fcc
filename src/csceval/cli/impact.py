"""``csceval impact``: run an estimator on any long-format panel CSV, for analysts.

A thin layer: :mod:`csceval.impact.panel_io` reads and checks the panel and the options, the
estimators live in :mod:`csceval.impact`. Mistakes end in coded messages (CSC-E71xx) and exit
status 2; ``--json`` prints the whole result (estimates, intervals, weights, p-values) for scripts.
The calibration commands (calibrate, recovery, calibrate-project) are in
:mod:`csceval.cli.impact_calibration`, the random-trend model's in :mod:`csceval.cli.impact_trend`.
"""

from __future__ import annotations

import warnings
from functools import partial
from pathlib import Path
from typing import Any

import click

from csceval.cli.child_did import child_did
from csceval.cli.impact_calibration import calibrate, calibrate_project_command, recovery
from csceval.cli.impact_trend import trend
from csceval.cli.options import json_option, panel_options, seed_option, treated_options
from csceval.impact.did import aggte, att_gt
from csceval.impact.its import its
from csceval.impact.panel_io import (
    estimator_input,
    read_panel,
    read_synth_panel,
    read_treated_panel,
)
from csceval.impact.sdid import synthdid
from csceval.impact.synth_command import run_synth_command, synth_command_options
from csceval.terminal import out, print_json, reported


@click.group()
def impact() -> None:
    """Run an impact estimator on your own long-format panel (one row per unit and period)."""


@impact.command()
@panel_options()
@click.option("--treated", required=True, help="The treated unit's label.")
@click.option("--start", required=True, type=int, help="First treated period.")
@click.option(
    "--predictor",
    "predictors",
    multiple=True,
    metavar="VAR:YEARS",
    help="A predictor: VAR:YEAR, VAR:FIRST-LAST (the mean over the years) or VAR:YEAR,YEAR,... "
    "(the mean over those years, R Synth's special predictors), e.g. beer:1984-1988 (repeat "
    "for several). None: every pre-period value of the outcome.",
)
@click.option(
    "--v-method",
    type=click.Choice(["regression", "nested", "equal", "custom"]),
    default="regression",
    show_default=True,
    help="How the predictors' weights (V) are chosen: regression-based, R Synth's nested "
    "search, equal, or --custom-v.",
)
@click.option(
    "--custom-v",
    metavar="W1,W2,...",
    help="Predictor weights V, one per --predictor in order (implies --v-method custom).",
)
@click.option(
    "--optimize-window",
    metavar="FIRST-LAST",
    help="Years of the loss the nested search minimises (and of the regression-based V) "
    "[default: every pre-period year].",
)
@click.option(
    "--v-starts",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Random starting V of the nested search, besides equal, regression-based and "
    "one-predictor starts.",
)
@click.option("--v-seed", type=int, default=0, show_default=True, help="Seed of those starts.")
@click.option(
    "--two-starts",
    is_flag=True,
    help="Nested search from R Synth's two starts only (equal and regression-based V).",
)
@click.option(
    "--allow-post-predictors",
    is_flag=True,
    help="Let predictor windows reach the treatment period (a warning, as R Synth allows).",
)
@click.option(
    "--cross-validate",
    "cross_window",
    metavar="FIRST-LAST",
    help="ADH 2015 two-step cross-validation: choose V on predictors moved back by the length "
    "of this validation period, fitted over it; then fit W with that V.",
)
@click.option(
    "--training-predictor",
    "training_predictors",
    multiple=True,
    metavar="VAR:YEARS",
    help="With --cross-validate: step 1's predictors, one per --predictor in order "
    "[default: each --predictor moved back by the validation period's length].",
)
@click.option(
    "--demean", is_flag=True, help="Fit on pre-period-demeaned outcomes (paths, not levels)."
)
@click.option(
    "--placebos/--no-placebos",
    default=True,
    show_default=True,
    help="In-space placebo inference (refit with every donor as the treated unit).",
)
@json_option
def synth(
    path: Path,
    unit: str,
    time_col: str,
    outcome: str,
    treated: str,
    start: int,
    predictors: tuple[str, ...],
    v_method: str,
    custom_v: str | None,
    optimize_window: str | None,
    v_starts: int,
    v_seed: int,
    two_starts: bool,
    allow_post_predictors: bool,
    cross_window: str | None,
    training_predictors: tuple[str, ...],
    demean: bool,
    placebos: bool,
    as_json: bool,
) -> None:
    """Synthetic control for one treated unit: balance, V and W, gaps, placebo p-values."""
    with reported(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the same text is in the result's notes
        options = synth_command_options(
            outcome,
            predictors,
            v_method=v_method,
            custom_v=custom_v,
            optimize_window=optimize_window,
            v_starts=v_starts,
            v_seed=v_seed,
            two_starts=two_starts,
            allow_post_predictors=allow_post_predictors,
            demean=demean,
            cross_validate=cross_window,
            training_predictors=training_predictors,
        )
        _, panel = read_synth_panel(
            path,
            unit=unit,
            time=time_col,
            variables=options.variables,
            columns=options.columns,
        )
        run = partial(run_synth_command, panel, options, treated, start, placebos=placebos)
        report = estimator_input(path, run)
    if as_json:
        print_json(report.payload)
        return
    for line in report.lines():
        out.print(line)


@impact.command()
@panel_options()
@click.option("--group", required=True, help="Column of the first treated period, 0 = never.")
@click.option(
    "--control",
    type=click.Choice(["nevertreated", "notyettreated"]),
    default="nevertreated",
    show_default=True,
    help="Comparison units: never treated, or not yet treated.",
)
@click.option(
    "--method",
    type=click.Choice(["dr", "ipw", "reg"]),
    default="dr",
    show_default=True,
    help="Doubly robust, inverse probability weighting or outcome regression.",
)
@click.option(
    "--covariate", "covariates", multiple=True, help="A covariate column (repeat for several)."
)
@click.option(
    "--bootstrap",
    "n_boot",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Multiplier-bootstrap draws (0 = analytic standard errors).",
)
@seed_option(0, help="Random seed of the bootstrap.")
@json_option
def did(
    path: Path,
    unit: str,
    time_col: str,
    outcome: str,
    group: str,
    control: str,
    method: str,
    covariates: tuple[str, ...],
    n_boot: int,
    seed: int,
    as_json: bool,
) -> None:
    """Callaway and Sant'Anna staggered difference-in-differences with its aggregations."""
    columns = {"unit": unit, "time": time_col, "outcome": outcome, "group": group}
    columns |= {f"covariate {c}": c for c in covariates}
    with reported():
        data = read_panel(path, columns)
        result = estimator_input(
            path,
            lambda: att_gt(
                data,
                outcome,
                unit=unit,
                time=time_col,
                group=group,
                covariates=covariates,
                control_group=control,
                est_method=method,
                inference="bootstrap" if n_boot else "analytic",
                n_boot=n_boot or 999,
                seed=seed,
            ),
        )
        kinds = ("simple", "dynamic", "group", "calendar")
        aggregates = {k: estimator_input(path, partial(aggte, result, k)) for k in kinds}
    if as_json:
        print_json({"att_gt": result.to_dict(), **{k: a.to_dict() for k, a in aggregates.items()}})
        return
    out.print(f"Callaway-Sant'Anna ({method}, {control} controls), outcome {outcome}")
    for kind, agg in aggregates.items():
        low, high = agg.overall_ci
        out.print(
            f"  {kind:<9} ATT {agg.overall_att:.4g} (SE {agg.overall_se:.4g}; "
            f"95% CI {low:.4g} to {high:.4g})"
        )
    out.print(f"  pre-trend test: W = {result.pretest_w:.4g}, p = {result.pretest_p:.3g}")


@impact.command()
@panel_options()
@treated_options
@click.option(
    "--method",
    type=click.Choice(["sdid", "sc", "did"]),
    default="sdid",
    show_default=True,
    help="Synthetic DiD, synthetic control or plain DiD (the synthdid estimators).",
)
@click.option(
    "--se",
    "inference",
    type=click.Choice(["placebo", "jackknife", "none"]),
    default="placebo",
    show_default=True,
    help="How the standard error is estimated.",
)
@click.option(
    "--reps",
    "n_reps",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Placebo replications.",
)
@seed_option(0, help="Random seed of the placebo replications.")
@json_option
def sdid(
    path: Path,
    unit: str,
    time_col: str,
    outcome: str,
    treated: tuple[str, ...],
    start: int | None,
    group: str | None,
    method: str,
    inference: str,
    n_reps: int,
    seed: int,
    as_json: bool,
) -> None:
    """Synthetic difference-in-differences (per adoption cohort and overall)."""
    with reported():
        panel, adoption = read_treated_panel(
            path, unit=unit, time=time_col, outcome=outcome, treated=treated, start=start,
            group=group,
        )  # fmt: skip
        result = estimator_input(
            path,
            lambda: synthdid(
                panel,
                outcome,
                adoption,
                method=method,  # type: ignore[arg-type]
                inference=inference,  # type: ignore[arg-type]
                n_reps=n_reps,
                seed=seed,
            ),
        )
    if as_json:
        print_json(result.to_dict())
        return
    name = {"sdid": "Synthetic DiD", "sc": "Synthetic control", "did": "DiD"}[method]
    out.print(f"{name} (synthdid solver), outcome {outcome}")
    low, high = result.ci
    out.print(
        f"  overall effect {result.tau:.4g} (SE {result.se:.4g}, {inference}; "
        f"95% CI {low:.4g} to {high:.4g}; randomization p = {result.p_value:.3g})"
    )
    for c in result.cohorts:
        out.print(f"  cohort {c.start}: {len(c.treated)} unit(s), effect {c.tau:.4g}")
    for note in result.notes:
        out.print(f"  note: {note}")


@impact.command(name="its")
@panel_options()
@click.option("--treated", required=True, help="The pilot's label.")
@click.option("--start", required=True, type=int, help="First period after the interruption.")
@click.option(
    "--comparison",
    "comparisons",
    multiple=True,
    help="A comparison unit (repeat for several); none = single ITS.",
)
@click.option(
    "--lags",
    type=click.IntRange(min=0),
    help="Newey-West lags [default: floor(4 (n/100)^(2/9))].",
)
@json_option
def its_command(
    path: Path,
    unit: str,
    time_col: str,
    outcome: str,
    treated: str,
    start: int,
    comparisons: tuple[str, ...],
    lags: int | None,
    as_json: bool,
) -> None:
    """Interrupted time series (segmented regression, Newey-West SEs) for one pilot."""
    with reported():
        _, panel = read_synth_panel(
            path, unit=unit, time=time_col, variables=[outcome], columns={"outcome": outcome}
        )
        result = estimator_input(
            path, lambda: its(panel, outcome, treated, start, comparison=comparisons, lags=lags)
        )
    payload = result.to_dict()
    if as_json:
        print_json(payload)
        return
    kind = f"controlled by {len(result.comparison)} unit(s)" if result.comparison else "single"
    out.print(f"Interrupted time series ({kind}) for {treated}, {outcome}, from {start}")
    terms: Any = payload["terms"]
    for name in ("level_change", "slope_change"):
        term = terms[name]
        low, high = term["ci"]
        out.print(
            f"  {name.replace('_', ' ')} {term['estimate']:.4g} (SE {term['se']:.4g}; "
            f"95% CI {low:.4g} to {high:.4g}; p = {term['p_value']:.3g})"
        )
    low, high = result.ci(result.effect, result.effect_se)
    out.print(
        f"  effect: mean observed post-period gap minus pre-period mean {result.effect:.4g} "
        f"(95% CI {low:.4g} to {high:.4g}; no line extrapolated)"
    )
    out.print(f"  Newey-West lags {result.lags}; t with {result.df} df")


impact.add_command(calibrate)
impact.add_command(recovery)
impact.add_command(calibrate_project_command)
impact.add_command(child_did)
impact.add_command(trend)
