"""Result records for Callaway & Sant'Anna staggered difference-in-differences.

:class:`ATTgtResult` holds every group-time average treatment effect ATT(g,t) with its standard
error and interval, the Wald pre-test of parallel trends, and (kept out of ``repr`` and
``to_dict``) the ``n_units x n_cells`` influence-function matrix that the aggregations and the
multiplier bootstrap are built from. :class:`AggregateResult` holds one ``aggte``-style summary:
the overall effect and the per-group, per-event-time or per-calendar-period table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
"""A float64 numpy array."""

__all__ = ["ATTgtResult", "AggregateResult", "FloatArray"]


def _num(value: float | np.floating[Any] | None) -> float | None:
    """A JSON-safe float: ``None`` for missing or non-finite values."""
    if value is None:
        return None
    x = float(value)
    return x if math.isfinite(x) else None


def _nums(values: npt.NDArray[Any]) -> list[float | None]:
    return [_num(v) for v in np.asarray(values, dtype=float)]


@dataclass(frozen=True, eq=False)
class ATTgtResult:
    """Group-time average treatment effects ATT(g,t) (Callaway & Sant'Anna 2021).

    Parameters
    ----------
    outcome
        Name of the outcome column.
    group, time
        Per cell: the cohort g (first treated period) and the period t.
    att
        Per cell: the estimate; ``nan`` where R ``did`` would report ``NA`` (see ``notes``).
    se
        Per cell: the reported standard error (the multiplier-bootstrap one when ``inference``
        is ``"bootstrap"``, otherwise the analytic one); ``nan`` when it is zero (e.g. the
        normalised base period under a universal base period).
    se_analytic
        Per cell: the analytic standard error ``sqrt(sum(psi^2)) / n`` from the influence
        function, whatever ``inference`` is.
    ci_lower, ci_upper
        Per cell: ``att -/+ crit_value * se``.
    crit_value
        Critical value used for the intervals: ``z_{1-alpha/2}`` for pointwise intervals, or the
        bootstrap sup-t value for a simultaneous (uniform) band over all cells.
    uniform
        Whether the intervals form a simultaneous band.
    alpha
        Significance level (intervals have coverage ``1 - alpha``).
    pretest_w, pretest_p, pretest_df
        Wald pre-test of parallel trends over the pre-treatment cells (``group > time``) with
        a non-zero standard error: ``W = n * att_pre' V_pre^{-1} att_pre`` and its chi-squared
        p-value with ``pretest_df`` degrees of freedom (unrounded; R prints it rounded to 5
        decimals). ``None`` when there are no pre-treatment cells or ``V_pre`` is singular.
    est_method, control_group, base_period, anticipation, covariates
        The estimator settings.
    inference
        ``"analytic"`` or ``"bootstrap"``.
    n_boot, seed, multiplier
        Bootstrap settings (``n_boot`` is 0 for analytic inference).
    units
        The unit ids, sorted; rows of the influence function follow this order.
    unit_group
        Per unit: the cohort used (0 = never treated, after recoding cohorts beyond the panel).
    periods
        The periods of the panel used, sorted.
    groups
        The treated cohorts for which ATT(g,t) were estimated.
    method
        One-line description of the method.
    notes
        Methodological choices and warnings, one sentence each.
    influence
        ``n_units x n_cells`` influence-function matrix (R's ``inffunc``): ``se_analytic`` is
        ``sqrt(colSums(influence^2)) / n``. Kept for aggregation and the bootstrap; not in
        ``repr`` or ``to_dict``.
    """

    outcome: str
    group: FloatArray
    time: FloatArray
    att: FloatArray
    se: FloatArray
    se_analytic: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    crit_value: float
    uniform: bool
    alpha: float
    pretest_w: float | None
    pretest_p: float | None
    pretest_df: int
    est_method: str
    control_group: str
    base_period: str
    anticipation: float
    covariates: tuple[str, ...]
    inference: str
    n_boot: int
    seed: int | None
    multiplier: str
    units: npt.NDArray[Any] = field(repr=False)
    unit_group: FloatArray = field(repr=False)
    periods: FloatArray
    groups: FloatArray
    method: str
    notes: tuple[str, ...] = ()
    influence: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)

    @property
    def n_units(self) -> int:
        """Number of units in the panel (rows of the influence function)."""
        return len(self.units)

    @property
    def event_time(self) -> FloatArray:
        """Per cell: ``time - group`` (negative before treatment)."""
        return self.time - self.group

    @property
    def post(self) -> npt.NDArray[np.bool_]:
        """Per cell: whether the cohort is treated in that period (``group <= time``)."""
        return self.group <= self.time

    def to_frame(self) -> pd.DataFrame:
        """One row per cell: group, time, event_time, post, att, se, ci_lower, ci_upper."""
        return pd.DataFrame(
            {
                "group": self.group,
                "time": self.time,
                "event_time": self.event_time,
                "post": self.post,
                "att": self.att,
                "se": self.se,
                "se_analytic": self.se_analytic,
                "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper,
            }
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping (non-finite numbers become ``None``; no influence function)."""
        return {
            "outcome": self.outcome,
            "method": self.method,
            "cells": [
                {
                    "group": _num(g),
                    "time": _num(t),
                    "att": _num(a),
                    "se": _num(s),
                    "se_analytic": _num(sa),
                    "ci_lower": _num(lo),
                    "ci_upper": _num(hi),
                }
                for g, t, a, s, sa, lo, hi in zip(
                    self.group,
                    self.time,
                    self.att,
                    self.se,
                    self.se_analytic,
                    self.ci_lower,
                    self.ci_upper,
                    strict=True,
                )
            ],
            "crit_value": _num(self.crit_value),
            "uniform": self.uniform,
            "alpha": self.alpha,
            "pretest": {
                "w": _num(self.pretest_w),
                "p_value": _num(self.pretest_p),
                "df": self.pretest_df,
            },
            "est_method": self.est_method,
            "control_group": self.control_group,
            "base_period": self.base_period,
            "anticipation": _num(self.anticipation),
            "covariates": list(self.covariates),
            "inference": self.inference,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "multiplier": self.multiplier,
            "n_units": self.n_units,
            "periods": _nums(self.periods),
            "groups": _nums(self.groups),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, eq=False)
class AggregateResult:
    """An aggregation of ATT(g,t) (R ``did::aggte``): overall effect plus its table.

    Parameters
    ----------
    type
        ``"simple"``, ``"group"``, ``"dynamic"`` (event study) or ``"calendar"``.
    outcome
        Name of the outcome column.
    overall_att, overall_se
        The overall summary and its standard error (bootstrap or analytic, see ``inference``).
    overall_ci
        Pointwise ``1 - alpha`` interval for the overall summary.
    labels
        Rows of the table: cohorts (``group``), event times (``dynamic``) or periods
        (``calendar``); empty for ``simple``.
    att, se, ci_lower, ci_upper
        Per row of the table.
    crit_value
        Critical value of the table's intervals (sup-t when ``uniform``).
    uniform
        Whether the table's intervals form a simultaneous band.
    alpha
        Significance level.
    min_e, max_e, balance_e
        Event-time window and balancing used (``dynamic``; ``max_e`` also caps ``simple`` and
        ``group`` as in R).
    inference, n_boot, seed, multiplier
        How standard errors were obtained.
    method, notes
        Description and methodological notes.
    influence, influence_table
        Influence function of the overall summary (length ``n_units``) and of each table row
        (``n_units x n_rows``); not in ``repr`` or ``to_dict``.
    """

    type: str
    outcome: str
    overall_att: float
    overall_se: float
    overall_ci: tuple[float, float]
    labels: FloatArray
    att: FloatArray
    se: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    crit_value: float
    uniform: bool
    alpha: float
    min_e: float
    max_e: float
    balance_e: float | None
    inference: str
    n_boot: int
    seed: int | None
    multiplier: str
    method: str
    notes: tuple[str, ...] = ()
    influence: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    influence_table: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)

    @property
    def label_name(self) -> str:
        """What the table's rows are: ``group``, ``event_time`` or ``time``."""
        return {"group": "group", "dynamic": "event_time", "calendar": "time"}.get(
            self.type, "label"
        )

    def to_frame(self) -> pd.DataFrame:
        """The table: one row per cohort, event time or period."""
        return pd.DataFrame(
            {
                self.label_name: self.labels,
                "att": self.att,
                "se": self.se,
                "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper,
            }
        )

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping (non-finite numbers become ``None``; no influence functions)."""
        return {
            "type": self.type,
            "outcome": self.outcome,
            "method": self.method,
            "overall": {
                "att": _num(self.overall_att),
                "se": _num(self.overall_se),
                "ci_lower": _num(self.overall_ci[0]),
                "ci_upper": _num(self.overall_ci[1]),
            },
            "table": [
                {
                    self.label_name: _num(lab),
                    "att": _num(a),
                    "se": _num(s),
                    "ci_lower": _num(lo),
                    "ci_upper": _num(hi),
                }
                for lab, a, s, lo, hi in zip(
                    self.labels, self.att, self.se, self.ci_lower, self.ci_upper, strict=True
                )
            ],
            "crit_value": _num(self.crit_value),
            "uniform": self.uniform,
            "alpha": self.alpha,
            "min_e": _num(self.min_e),
            "max_e": _num(self.max_e),
            "balance_e": _num(self.balance_e),
            "inference": self.inference,
            "n_boot": self.n_boot,
            "seed": self.seed,
            "multiplier": self.multiplier,
            "notes": list(self.notes),
        }
