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

from csceval.errors import Problem
from csceval.impact.did import aggte, att_gt
from csceval.impact.synth import Predictor, SynthPanel, SynthSpec, fit_synth, placebo_in_space
from csceval.terminal import fail, out

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
    placebos: bool,
    as_json: bool,
) -> None:
    """Synthetic control for one treated unit, with in-space placebo p-values."""
    specs = tuple(parse_predictor(p) for p in predictors)
    columns = {"unit": unit, "time": time_col, "outcome": outcome}
    columns |= {f"predictor {p.variable}": p.variable for p in specs}
    data = read_panel(path, columns)
    data[unit] = data[unit].astype(str)
    spec = SynthSpec(outcome, predictors=specs, v_method=v_method)  # type: ignore[arg-type]
    variables = sorted({outcome, *(p.variable for p in specs)})
    panel = estimate(
        path, lambda: SynthPanel.from_long(data, unit=unit, time=time_col, variables=variables)
    )
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
