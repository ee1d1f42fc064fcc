"""The random-trend model's row of the estimates table (the plan's ``trend`` estimator).

The estimator is :func:`csceval.impact.random_trend.random_trend`: each pilot's counterfactual
mean gap over its post-adoption years is predicted from its own pre-adoption gaps under a
random-trend + AR(1) + white-noise model whose hyperparameters are fitted by REML on the
donors (never on a pilot); the effect is the mean over pilots of observed minus predicted, with
a normal interval whose standard error counts the donors' mean shared by every pilot's gap and
treats the fitted hyperparameters as known. The design calibration (:mod:`.design`) measures
what those assumptions cost.
"""

from __future__ import annotations

from collections.abc import Sequence

from csceval.impact.random_trend import random_trend
from csceval.impact.synth_panel import SynthPanel
from csceval.strands.impact.estimates import Estimate
from csceval.strands.impact.scale import Scale

METHOD = "random_trend"
LABEL = "Random-trend model"


def random_trend_row(
    panel: SynthPanel, pilots: dict[str, int], donors: Sequence[str], scale: Scale
) -> Estimate:
    """The pooled effect on the analysis scale (``_reported`` turns logs into per cent changes);
    the note gives the fitted LA trend SD (log points, 0.01 of a log, on the log scale).

    Raises ``ValueError`` (the caller's "not estimable" row) for unusable input."""
    fit = random_trend(panel, pilots, donors)
    theta = fit.theta
    shown = 100 * theta.trend_sd if scale == "log" else theta.trend_sd
    unit = " log points" if scale == "log" else ""
    sd = f"{shown:.2f}{unit}/yr" if shown >= 0.005 else "about 0 (no LA trends beyond the noise)"
    return Estimate(
        METHOD,
        LABEL,
        estimate=fit.att,
        low=fit.low,
        high=fit.high,
        p_value=fit.p_value,
        note=f"fitted on the donors (REML): LA trend SD {sd}, AR(1) rho {theta.rho:.2f}; "
        "normal interval",
    )
