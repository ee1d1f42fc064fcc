"""``csceval impact``: run an estimator on any long-format panel CSV, for analysts.

Mistakes in the file or the options end in coded messages (CSC-E71xx) and exit status 2.
``--json`` prints the whole result (estimates, intervals, weights, p-values) for scripts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.progress import Progress, TaskID

from csceval.errors import InputError, Problem
from csceval.impact.calibrate import LABELS
from csceval.impact.calibrate import METHODS as CALIBRATION_METHODS
from csceval.impact.calibrate import calibrate as run_calibration
from csceval.impact.did import aggte, att_gt
from csceval.impact.its import its
from csceval.impact.project_calibration import calibrate_project, write_project_calibration
from csceval.impact.sdid import synthdid
from csceval.impact.synth import Predictor, SynthPanel, SynthSpec, fit_synth, placebo_in_space
from csceval.project import load_project
from csceval.simulate.recovery import STRENGTHS, run_recovery, summarise, verdict_rates
from csceval.terminal import cannot_write, err, fail, out

PREDICTOR = re.compile(r"^(?P<var>[^:]+):(?P<start>\d{4})(?:-(?P<end>\d{4}))?$")


def read_panel(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    """Read the CSV and check the named columns exist (``columns``: option -> column name)."""
    try:
        data = pd.read_csv(path, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        fail(Problem("CSC-E7101", f"cannot read the panel as CSV ({exc})", file=str(path)))
    missing = [
        Problem(
            "CSC-E7102",
            f"column given by --{option} is not in the file",
            file=str(path),
            column=name,
            fix=f"the columns are {', '.join(map(str, data.columns))}",
        )
        for option, name in columns.items()
        if name not in data.columns
    ]
    if missing:
        fail(*missing)
    return data


def estimate(path: Path, run: Callable[[], Any]) -> Any:
    """Run an estimator, turning its refusal of the input into a coded message."""
    try:
        return run()
    except ValueError as exc:
        fail(Problem("CSC-E7103", f"the estimator cannot use this input: {exc}", file=str(path)))


def read_synth_panel(
    path: Path, columns: dict[str, str], unit: str, time_col: str, variables: list[str]
) -> tuple[pd.DataFrame, SynthPanel]:
    """The checked CSV (unit labels as text) and its units x times panel of ``variables``."""
    data = read_panel(path, columns)
    data[unit] = data[unit].astype(str)
    panel = estimate(
        path, lambda: SynthPanel.from_long(data, unit=unit, time=time_col, variables=variables)
    )
    return data, panel


def parse_predictor(text: str) -> Predictor:
    match = PREDICTOR.match(text)
    if not match:
        fail(
            Problem(
                "CSC-E7104",
                "predictor not understood",
                column="--predictor",
                value=text,
                fix="write VARIABLE:YEAR or VARIABLE:FIRST-LAST, e.g. beer:1984-1988",
            )
        )
    end = match["end"]
    return Predictor(match["var"], int(match["start"]), int(end) if end else None)


def dumps(result: dict[str, Any]) -> str:
    """JSON with NaN written as null."""

    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    return json.dumps(clean(result), indent=2, sort_keys=True)


@click.group()
def impact() -> None:
    """Run an impact estimator on your own long-format panel (one row per unit and period)."""


@impact.command()
@click.option("--data", "path", required=True, type=click.Path(path_type=Path))
@click.option("--unit", required=True, help="Column naming the unit (e.g. state, la_code).")
@click.option("--time", "time_col", required=True, help="Column of the integer period.")
@click.option("--outcome", required=True)
@click.option("--treated", required=True, help="The treated unit's label.")
@click.option("--start", required=True, type=int, help="First treated period.")
@click.option("--predictor", "predictors", multiple=True, help="VAR:YEAR or VAR:FIRST-LAST.")
@click.option(
    "--v-method", type=click.Choice(["regression", "nested", "equal"]), default="regression"
)
@click.option(
    "--demean", is_flag=True, help="Fit on pre-period-demeaned outcomes (paths, not levels)."
)
@click.option("--placebos/--no-placebos", default=True, help="In-space placebo inference.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def synth(
    path: Path,
    unit: str,
    time_col: str,
    outcome: str,
    treated: str,
    start: int,
    predictors: tuple[str, ...],
    v_method: str,
    demean: bool,
    placebos: bool,
    as_json: bool,
) -> None:
    """Synthetic control for one treated unit, with in-space placebo p-values."""
    specs = tuple(parse_predictor(p) for p in predictors)
    columns = {"unit": unit, "time": time_col, "outcome": outcome}
    columns |= {f"predictor {p.variable}": p.variable for p in specs}
    spec = SynthSpec(outcome, predictors=specs, v_method=v_method, demean=demean)  # type: ignore[arg-type]
    variables = sorted({outcome, *(p.variable for p in specs)})
    _, panel = read_synth_panel(path, columns, unit, time_col, variables)
    if placebos:
        result = estimate(path, lambda: placebo_in_space(panel, spec, treated, start))
        fit, payload = result.fit, result.to_dict()
    else:
        fit = estimate(path, lambda: fit_synth(panel, spec, treated, start))
        payload = {"fit": fit.to_dict()}
    if as_json:
        out.print(dumps(payload), markup=False, soft_wrap=True)
        return
    top = sorted(fit.weights.items(), key=lambda kv: -kv[1])[:8]
    out.print(f"Synthetic control for {treated}, {outcome}, treated from {start}")
    out.print(f"  average effect (treated - synthetic) after {start}: {fit.att:.4g}")
    out.print(f"  pre-period RMSPE {fit.pre_rmspe:.4g}; post/pre ratio {fit.rmspe_ratio:.4g}")
    out.print("  donor weights: " + ", ".join(f"{u} {w:.3f}" for u, w in top if w > 0))
    if placebos:
        out.print(
            f"  placebo rank {result.rank} of {len(result.placebo_units) + 1}: "
            f"p = {result.p_value:.3f} (ratio), {result.p_value_att:.3f} (effect size)"
        )


@impact.command()
@click.option("--data", "path", required=True, type=click.Path(path_type=Path))
@click.option("--unit", required=True)
@click.option("--time", "time_col", required=True)
@click.option("--outcome", required=True)
@click.option("--group", required=True, help="Column of the first treated period, 0 = never.")
@click.option(
    "--control", type=click.Choice(["nevertreated", "notyettreated"]), default="nevertreated"
)
@click.option("--method", type=click.Choice(["dr", "ipw", "reg"]), default="dr")
@click.option("--covariate", "covariates", multiple=True)
@click.option(
    "--bootstrap",
    "n_boot",
    type=int,
    default=0,
    help="Multiplier-bootstrap draws (0 = analytic standard errors).",
)
@click.option("--seed", type=int, default=0)
@click.option("--json", "as_json", is_flag=True)
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
    data = read_panel(path, columns)
    result = estimate(
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
    aggregates = {}
    for kind in ("simple", "dynamic", "group", "calendar"):
        aggregates[kind] = estimate(path, partial(aggte, result, kind))
    if as_json:
        payload = {"att_gt": result.to_dict(), **{k: a.to_dict() for k, a in aggregates.items()}}
        out.print(dumps(payload), markup=False, soft_wrap=True)
        return
    out.print(f"Callaway-Sant'Anna ({method}, {control} controls), outcome {outcome}")
    for kind, agg in aggregates.items():
        low, high = agg.overall_ci
        out.print(
            f"  {kind:<9} ATT {agg.overall_att:.4g} (SE {agg.overall_se:.4g}; "
            f"95% CI {low:.4g} to {high:.4g})"
        )
    out.print(f"  pre-trend test: W = {result.pretest_w:.4g}, p = {result.pretest_p:.3g}")


def adoption_from(
    path: Path,
    data: pd.DataFrame,
    unit: str,
    treated: tuple[str, ...],
    start: int | None,
    group: str | None,
) -> dict[str, int]:
    """Treated unit -> first treated period, from ``--treated``/``--start`` or ``--group``."""
    if bool(treated) == bool(group) or (treated and start is None):
        fail(
            Problem(
                "CSC-E7105",
                "say which units are treated either with --treated (one or more) and --start, "
                "or with --group (a column of first treated periods, 0 = never)",
                file=str(path),
            )
        )
    if treated:
        assert start is not None
        return {str(t): start for t in treated}
    assert group is not None
    firsts = data.groupby(unit)[group].agg(["min", "max"])
    uneven = firsts.index[firsts["min"] != firsts["max"]]
    if len(uneven):
        fail(
            Problem(
                "CSC-E7103",
                "the estimator cannot use this input: the --group column varies within a unit",
                file=str(path),
                column=group,
                value=str(uneven[0]),
            )
        )
    return {str(u): int(g) for u, g in firsts["min"].items() if pd.notna(g) and g > 0}


@impact.command()
@click.option("--data", "path", required=True, type=click.Path(path_type=Path))
@click.option("--unit", required=True)
@click.option("--time", "time_col", required=True)
@click.option("--outcome", required=True)
@click.option("--treated", multiple=True, help="A treated unit's label (repeat for several).")
@click.option("--start", type=int, help="First treated period of the --treated units.")
@click.option(
    "--group", help="Instead of --treated: column of the first treated period, 0 = never."
)
@click.option("--method", type=click.Choice(["sdid", "sc", "did"]), default="sdid")
@click.option(
    "--se", "inference", type=click.Choice(["placebo", "jackknife", "none"]), default="placebo"
)
@click.option("--reps", "n_reps", type=int, default=200, help="Placebo replications.")
@click.option("--seed", type=int, default=0)
@click.option("--json", "as_json", is_flag=True)
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
    columns = {"unit": unit, "time": time_col, "outcome": outcome}
    if group:
        columns["group"] = group
    data, panel = read_synth_panel(path, columns, unit, time_col, [outcome])
    adoption = adoption_from(path, data, unit, treated, start, group)
    result = estimate(
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
        out.print(dumps(result.to_dict()), markup=False, soft_wrap=True)
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
@click.option("--data", "path", required=True, type=click.Path(path_type=Path))
@click.option("--unit", required=True)
@click.option("--time", "time_col", required=True)
@click.option("--outcome", required=True)
@click.option("--treated", required=True, help="The pilot's label.")
@click.option("--start", required=True, type=int, help="First period after the interruption.")
@click.option(
    "--comparison",
    "comparisons",
    multiple=True,
    help="A comparison unit (repeat); none = single ITS.",
)
@click.option("--lags", type=int, help="Newey-West lags (default floor(4 (n/100)^(2/9))).")
@click.option("--json", "as_json", is_flag=True)
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
    columns = {"unit": unit, "time": time_col, "outcome": outcome}
    _, panel = read_synth_panel(path, columns, unit, time_col, [outcome])
    result = estimate(
        path, lambda: its(panel, outcome, treated, start, comparison=comparisons, lags=lags)
    )
    payload = result.to_dict()
    if as_json:
        out.print(dumps(payload), markup=False, soft_wrap=True)
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
    low, high = payload["effect_ci"]
    out.print(f"  average post-period effect {result.effect:.4g} (95% CI {low:.4g} to {high:.4g})")
    out.print(f"  Newey-West lags {result.lags}; t with {result.df} df")


def advance(bar: Progress, task: TaskID, done: int) -> None:
    """Move a progress bar to ``done`` draws."""
    bar.update(task, completed=done)


@impact.command()
@click.option("--data", "path", required=True, type=click.Path(path_type=Path))
@click.option("--unit", required=True)
@click.option("--time", "time_col", required=True)
@click.option("--outcome", "outcomes", required=True, multiple=True, help="Repeat for several.")
@click.option(
    "--adoption-years",
    required=True,
    help="The pilots' adoption years, one per pilot, comma-separated (e.g. 2019,2019,2020).",
)
@click.option("--exclude", multiple=True, help="A unit never drawn (the real adopters).")
@click.option(
    "--method", "methods", multiple=True, type=click.Choice(list(CALIBRATION_METHODS)),
    help="Methods to calibrate (default all).",
)  # fmt: skip
@click.option("--draws", "n_draws", type=int, default=100, help="Pseudo-pilot sets to draw.")
@click.option("--alpha", type=float, default=0.05)
@click.option("--seed", type=int, default=0)
@click.option("--synth-draws", type=int, default=199, help="Draws of the pooled synth test.")
@click.option("--bootstrap", "n_boot", type=int, default=499, help="CS-DiD bootstrap draws.")
@click.option("--sdid-se", type=click.Choice(["jackknife", "placebo"]), default="jackknife")
@click.option("--sdid-reps", type=int, default=50, help="Placebo replications (--sdid-se placebo).")
@click.option("--log", is_flag=True, help="Analyse the log of the outcome (as the report does "
              "for rates).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True)
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
    as_json: bool,
) -> None:
    """Real size and coverage of each test on pseudo-pilots drawn from non-adopters."""
    try:
        years = [int(y) for y in adoption_years.split(",") if y.strip()]
    except ValueError:
        fail(
            Problem(
                "CSC-E7106",
                "--adoption-years is not a comma-separated list of years",
                value=adoption_years,
                fix="write one year per pilot, e.g. 2019,2019,2020,2021",
            )
        )
    columns = {"unit": unit, "time": time_col} | {f"outcome {o}": o for o in outcomes}
    _, panel = read_synth_panel(path, columns, unit, time_col, list(outcomes))
    results = []
    with Progress(console=err, transient=True, disable=as_json) as bar:
        for outcome in outcomes:
            task = bar.add_task(f"calibrating {outcome}", total=n_draws)
            results.append(
                estimate(
                    path,
                    partial(
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
                        progress=partial(advance, bar, task),
                    ),
                )
            )
    if as_json:
        out.print(dumps({"results": [r.to_dict() for r in results]}), markup=False, soft_wrap=True)
        return
    for result in results:
        out.print(
            f"{result.outcome}: {result.n_draws} draws of {len(result.adoption_years)} "
            f"pseudo-pilots from {result.n_candidates} candidates, "
            f"{result.years[0]}-{result.years[1]}; nominal level {result.alpha:g}"
        )
        for stat in result.methods.values():
            row = stat.to_dict()
            size = f"size {stat.size:.3f} (MC error {stat.size_mc_error:.3f}, {stat.tests} tests)"
            cover = (
                f"; coverage {stat.coverage:.3f} ({stat.coverage_mc_error:.3f})"
                if stat.intervals
                else ""
            )
            failed = f"; {stat.failures} failed" if stat.failures else ""
            out.print(f"  {row['label']}: {size}{cover}{failed}")


@impact.command()
@click.option("--seeds", "n_seeds", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--first-seed", type=int, default=1, show_default=True)
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--alpha", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.05)
@click.option("--rows", "rows_path", type=click.Path(path_type=Path), help="Write every estimate.")
@click.option("--json", "as_json", is_flag=True)
def recovery(
    n_seeds: int, first_seed: int, jobs: int, alpha: float, rows_path: Path | None, as_json: bool
) -> None:
    """Bias, coverage and rejection rates of the impact strand on synthetic England."""
    seeds = range(first_seed, first_seed + n_seeds)
    with Progress(console=err, transient=True, disable=as_json) as bar:
        task = bar.add_task("simulating and estimating", total=n_seeds)
        rows = run_recovery(seeds, jobs=jobs, progress=partial(advance, bar, task))
    if rows_path is not None:
        try:
            rows.to_csv(rows_path, index=False)
        except OSError as exc:
            fail(cannot_write(rows_path, exc))
    summary, verdicts = summarise(rows, alpha), verdict_rates(rows)
    if as_json:
        payload = {
            "seeds": [seeds.start, seeds.stop - 1],
            "alpha": alpha,
            "summary": summary.to_dict(orient="records"),
            "verdicts": verdicts.to_dict(orient="records"),
        }
        out.print(dumps(payload), markup=False, soft_wrap=True)
        return
    out.print(f"{n_seeds} seeds ({seeds.start}-{seeds.stop - 1}); nominal level {alpha:g}")
    for indicator, block in summary.groupby("indicator", sort=False):
        first = block.iloc[0]
        out.print(f"{indicator} ({first['effect']}, mean truth {first['mean_truth']:.3f}):")
        for r in block.itertuples():
            cover = f"; coverage {r.coverage:.3f}" if r.intervals else ""
            reject = f"; rejects {r.rejection:.3f}" if r.tests else ""
            out.print(
                f"  {r.method}: bias {r.bias:+.3f} (MC error {r.bias_mc_error:.3f}), "
                f"RMSE {r.rmse:.3f}{cover}{reject}"
            )
    out.print("strength of evidence in the report (share of seeds):")
    for v in verdicts.itertuples():
        shares = ", ".join(f"{k} {getattr(v, k):.3f}" for k in STRENGTHS)
        out.print(f"  {v.indicator} ({v.effect}): {shares}")


@impact.command(name="calibrate-project")
@click.argument("project_dir", type=click.Path(path_type=Path))
@click.option("--draws", "n_draws", type=click.IntRange(min=1), default=100, show_default=True)
@click.option("--sdid-draws", type=click.IntRange(min=1), help="Draws for SDID (default --draws).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--write", is_flag=True, help="Save impact_calibration.json; the report quotes it.")
@click.option("--json", "as_json", is_flag=True)
def calibrate_project_command(
    project_dir: Path,
    n_draws: int,
    sdid_draws: int | None,
    seed: int,
    write: bool,
    as_json: bool,
) -> None:
    """Real size of the report's impact tests on a project's own comparators and design."""
    try:
        project = load_project(project_dir)
    except InputError as exc:
        fail(*exc.problems)
    with Progress(console=err, transient=True, disable=as_json) as bar:
        task = bar.add_task("calibrating", total=None)
        results = estimate(
            project_dir,
            lambda: calibrate_project(
                project, n_draws=n_draws, sdid_draws=sdid_draws, seed=seed,
                progress=lambda indicator, done: bar.update(
                    task, description=f"calibrating {indicator}", completed=done
                ),
            ),
        )  # fmt: skip
    try:
        path = write_project_calibration(project, results) if write else None
    except OSError as exc:
        fail(cannot_write(project_dir, exc))
    if as_json:
        out.print(dumps({"results": [r.to_dict() for r in results]}), markup=False, soft_wrap=True)
        return
    for result in results:
        for stat in result.methods.values():
            out.print(
                f"{result.outcome}: {LABELS[stat.method]}: size {stat.size:.3f} "
                f"(MC error {stat.size_mc_error:.3f}, {stat.tests} tests, {result.n_draws} draws)"
            )
    if path is not None:
        out.print(f"Wrote {path}: the report now quotes these sizes.")
