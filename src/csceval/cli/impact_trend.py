"""``csceval impact trend``: the random-trend model on any long-format panel.

Each treated unit's counterfactual is predicted from its own pre-period gap from the donors'
mean (:mod:`csceval.impact.random_trend`); the donors are every never-treated unit with a value
in every period (others are left out and named). The command joins the ``impact`` group in
:mod:`csceval.cli.impact`.
"""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from csceval.cli.options import json_option, panel_options, treated_options
from csceval.impact.panel_io import estimator_input, read_treated_panel
from csceval.impact.random_trend import RandomTrendResult, random_trend
from csceval.impact.synth import SynthPanel
from csceval.impact.synth_data import positive_log
from csceval.terminal import out, print_json, reported


@click.command(name="trend")
@panel_options()
@treated_options
@click.option(
    "--log", is_flag=True, help="Analyse the log of the outcome (as the report does for rates)."
)
@json_option
def trend(
    path: Path,
    unit: str,
    time_col: str,
    outcome: str,
    treated: tuple[str, ...],
    start: int | None,
    group: str | None,
    log: bool,
    as_json: bool,
) -> None:
    """Random-trend model: each treated unit's counterfactual from its own past (LA trends and
    AR(1) noise fitted by REML on the donors), pooled over the treated units."""
    with reported():
        panel, adoption = read_treated_panel(
            path, unit=unit, time=time_col, outcome=outcome, treated=treated, start=start,
            group=group,
        )  # fmt: skip
        if log:
            logged = positive_log(panel.variable(outcome))
            panel = SynthPanel(panel.units, panel.times, {outcome: logged})
        values = panel.variable(outcome)
        whole = np.asarray(np.isfinite(values).all(axis=0), dtype=bool)
        complete = {u: bool(whole[i]) for i, u in enumerate(panel.units)}
        donors = [u for u, ok in complete.items() if ok and u not in adoption]
        left_out = [u for u, ok in complete.items() if not ok]
        result = estimator_input(
            path, lambda: random_trend(panel, adoption, donors, variable=outcome)
        )
    if as_json:
        print_json(result.to_dict() | {"donors": donors, "left_out": left_out, "log": log})
        return
    _print(result, outcome, len(donors), left_out, log)


def _print(
    result: RandomTrendResult, outcome: str, n_donors: int, left_out: list[str], log: bool
) -> None:
    theta = result.theta
    scale = "log " if log else ""
    out.print(f"Random-trend model, outcome {scale}{outcome}, {n_donors} donors")
    out.print(
        f"  pooled effect {result.att:.4g} (SE {result.se:.4g}; 95% CI {result.low:.4g} to "
        f"{result.high:.4g}; normal p = {result.p_value:.3g})"
    )
    out.print(
        f"  fitted on the donors (REML): trend SD {theta.trend_sd:.3g} a period, AR(1) SD "
        f"{theta.noise_sd:.3g} with rho {theta.rho:.3g}, white noise SD {theta.white_sd:.3g}"
    )
    for p in result.pilots:
        out.print(f"  {p.unit} (from {p.start}): effect {p.effect:.4g} (SE {p.variance**0.5:.4g})")
    if left_out:
        out.print(f"  note: left out for missing periods: {', '.join(left_out)}")
