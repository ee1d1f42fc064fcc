"""Checking a long panel and turning it into the wide arrays the DiD estimators work on.

Every problem is reported as a :class:`ValueError` that says what is wrong, where (which units,
periods or cohorts) and how to fix it. The checks follow R ``did``'s ``pre_process_did`` where R
silently repairs the data, except that this module refuses rather than drops: an unbalanced
panel, missing values and cohorts with no pre-treatment period are errors, not warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from csceval.impact.did_results import FloatArray

__all__ = ["Panel", "prepare_panel"]

_SHOW = 8
"""How many offending units or cells an error message lists before summarising."""


@dataclass(frozen=True, eq=False)
class Panel:
    """A balanced panel in wide form, units sorted by id and periods ascending.

    Attributes
    ----------
    units
        Sorted unit ids (length ``n``).
    periods
        Sorted periods (length ``T``).
    y
        ``n x T`` outcomes.
    g
        Per unit: first treated period, 0 for never treated (cohorts after the last period plus
        anticipation are recoded to 0, as R ``did`` does).
    x
        ``n x T x k`` covariates (``k`` may be 0).
    groups
        Cohorts for which ATT(g,t) are estimated.
    notes
        What was recoded or restricted on the way.
    """

    units: npt.NDArray[Any]
    periods: FloatArray
    y: FloatArray
    g: FloatArray
    x: FloatArray
    groups: FloatArray
    notes: tuple[str, ...]


def _listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_SHOW])
    more = len(items) - _SHOW
    return shown + (f" and {more} more" if more > 0 else "")


def _fmt(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _check_columns(data: pd.DataFrame, names: Sequence[str]) -> None:
    missing = [c for c in names if c not in data.columns]
    if missing:
        raise ValueError(
            f"column(s) {', '.join(repr(c) for c in missing)} not found in the data; "
            f"available columns: {', '.join(map(str, data.columns))}"
        )
    for name in names[1:]:  # every column but the unit id must be numeric
        if not pd.api.types.is_numeric_dtype(data[name]):
            raise ValueError(
                f"column {name!r} must be numeric (found dtype {data[name].dtype}); convert it, "
                "e.g. with pandas.to_numeric, or code a categorical covariate as 0/1 columns"
            )


def _check_missing(df: pd.DataFrame, unit: str, time: str, columns: Sequence[str]) -> None:
    for col in columns:
        bad = df[col].isna() | ~np.isfinite(df[col].to_numpy(dtype=float))
        if bad.any():
            cells = [
                f"unit {_fmt(u)} at {_fmt(t)}"
                for u, t in zip(df.loc[bad, unit], df.loc[bad, time], strict=True)
            ]
            raise ValueError(
                f"column {col!r} has {int(bad.sum())} missing or non-finite value(s): "
                f"{_listing(cells)}. Impute or drop these units so the panel stays balanced."
            )


def _check_balance(df: pd.DataFrame, unit: str, time: str) -> None:
    dup = df.duplicated([unit, time], keep=False)
    if dup.any():
        pairs = sorted(
            {f"unit {_fmt(u)} at {_fmt(t)}" for u, t in df.loc[dup, [unit, time]].to_numpy()}
        )
        raise ValueError(
            f"{len(pairs)} (unit, time) pair(s) appear more than once: {_listing(pairs)}. "
            "Each unit must have exactly one row per period."
        )
    periods = np.sort(df[time].unique())
    counts = df.groupby(unit, sort=True)[time].size()
    incomplete = counts[counts < len(periods)].index
    short = [
        (u, sorted(set(periods.tolist()) - set(df.loc[df[unit] == u, time].tolist())))
        for u in incomplete
    ]
    if short:
        lines = [f"unit {_fmt(u)} lacks {', '.join(_fmt(t) for t in miss)}" for u, miss in short]
        raise ValueError(
            f"unbalanced panel: {len(short)} of {len(counts)} units are not observed in every "
            f"period ({_fmt(periods[0])}-{_fmt(periods[-1])}): {_listing(lines)}. "
            "Only balanced panels are supported; drop or complete these units."
        )


def _unit_cohorts(df: pd.DataFrame, unit: str, group: str) -> pd.Series:
    per_unit = df.groupby(unit, sort=True)[group]
    varying = per_unit.nunique()
    varying = varying[varying > 1]
    if len(varying):
        raise ValueError(
            f"column {group!r} (first treated period) changes over time within "
            f"{len(varying)} unit(s): {_listing([_fmt(u) for u in varying.index])}. "
            "It must be constant per unit (0 for never treated)."
        )
    return per_unit.first()


def prepare_panel(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    covariates: Sequence[str],
    control_group: str,
    anticipation: float,
) -> Panel:
    """Validate a long panel and return it in wide form.

    Raises
    ------
    ValueError
        On missing or non-numeric columns, missing outcome/cohort/covariate values, duplicate or
        missing (unit, period) rows, a cohort that changes within a unit, negative cohorts, no
        never-treated units with ``control_group="nevertreated"``, a cohort with no
        pre-treatment period, or no treated cohort at all.
    """
    cols = [unit, time, group, outcome, *covariates]
    if len(set(cols)) != len(cols):
        raise ValueError(f"the same column is used twice among {cols}")
    _check_columns(data, cols)
    df = data.loc[:, cols]
    _check_missing(df, unit, time, [time, group, outcome, *covariates])
    if df[unit].isna().any():
        raise ValueError(f"column {unit!r} (unit id) has {int(df[unit].isna().sum())} missing ids")
    _check_balance(df, unit, time)
    cohorts = _unit_cohorts(df, unit, group)
    if (cohorts < 0).any():
        bad = cohorts[cohorts < 0]
        raise ValueError(
            f"column {group!r} must be 0 (never treated) or the first treated period; "
            f"negative for unit(s) {_listing([_fmt(u) for u in bad.index])}"
        )

    periods = np.sort(df[time].unique()).astype(float)
    notes: list[str] = []
    g = cohorts.to_numpy(dtype=float)
    units = cohorts.index.to_numpy()
    late = g > periods[-1] + anticipation
    if late.any():
        g = np.where(late, 0.0, g)
        notes.append(
            f"{int(late.sum())} unit(s) first treated after the last period "
            f"({_fmt(periods[-1])}) plus anticipation are treated as never treated, as R did does."
        )
    if not (g == 0).any() and control_group == "nevertreated":
        raise ValueError(
            "there are no never-treated units (cohort 0), so control_group='nevertreated' "
            "has no comparison group; use control_group='notyettreated' or add "
            "never-treated units"
        )
    groups = np.unique(g[g > 0])
    early = groups[groups <= periods[0] + anticipation]
    if len(early):
        lines = [
            f"cohort {_fmt(c)} (units {_listing([_fmt(u) for u in units[g == c]])})" for c in early
        ]
        raise ValueError(
            "no pre-treatment period for "
            + "; ".join(lines)
            + f": the panel starts in {_fmt(periods[0])}"
            + (f" and anticipation is {_fmt(anticipation)}" if anticipation else "")
            + ". Drop these units or extend the panel backwards."
        )

    keep_t = np.ones(len(periods), dtype=bool)
    if not (g == 0).any():
        # R did: without never-treated units, the last cohort only serves as the comparison
        # group, and periods from its (anticipated) treatment onwards are dropped.
        last = groups.max()
        keep_t = periods < last - anticipation
        groups = groups[groups < last]
        notes.append(
            f"No never-treated units: cohort {_fmt(last)} is used only as a not-yet-treated "
            f"comparison group and periods from {_fmt(last - anticipation)} on are dropped, "
            "as R did does."
        )
        if not len(groups) or keep_t.sum() < 2:
            raise ValueError(
                "without never-treated units at least two treated cohorts and two periods "
                "before the last cohort's treatment are needed"
            )
    if not len(groups):
        raise ValueError(
            f"no treated cohort: column {group!r} must hold the first treated period "
            "(0 for never treated) and some units must be treated within the panel"
        )

    n_never = int((g == 0).sum())
    if control_group == "nevertreated" and n_never < len(covariates) + 5:
        raise ValueError(
            f"only {n_never} never-treated unit(s) for {len(covariates)} covariate(s); R did "
            "refuses fewer than (number of covariates + 5). Try control_group='notyettreated'."
        )
    small = [c for c in groups if (g == c).sum() < len(covariates) + 5]
    if small:
        notes.append(
            "Small cohorts (fewer than covariates + 5 units): "
            + ", ".join(f"{_fmt(c)} ({int((g == c).sum())} units)" for c in small)
            + "; their analytic and bootstrap standard errors are unreliable."
        )

    wide = df.pivot(index=unit, columns=time, values=[outcome, *covariates]).sort_index()
    y = wide[outcome].to_numpy(dtype=float)[:, keep_t]
    x = (
        np.stack([wide[c].to_numpy(dtype=float)[:, keep_t] for c in covariates], axis=-1)
        if (covariates)
        else np.zeros((len(units), int(keep_t.sum()), 0))
    )
    return Panel(
        units=units,
        periods=periods[keep_t],
        y=np.ascontiguousarray(y),
        g=g,
        x=x,
        groups=groups.astype(float),
        notes=tuple(notes),
    )
