"""The LA x year indicator panel of a project, in the shapes analyses need."""

from __future__ import annotations

import weakref
from datetime import date

import numpy as np
import pandas as pd

from csceval.project import ProjectData


def year_ending_march(day: date) -> int:
    """The year ending 31 March that contains ``day`` (2017-04-01 -> 2018)."""
    return day.year + 1 if day.month >= 4 else day.year


_BY_INDICATOR: dict[int, tuple[weakref.ref[pd.DataFrame], dict[str, pd.DataFrame]]] = {}
"""Each indicators table's rows split by indicator, keyed by the table's ``id`` (checked
against a weak reference, and dropped with the table)."""


def indicator_rows(project: ProjectData, indicator_id: str) -> pd.DataFrame:
    """The rows of the project's indicators table for one indicator (read-only).

    The table is split by indicator once and the split kept while the table lives: analyses ask
    for one indicator's rows thousands of times a run (every pilot's benchmarks, every design),
    and comparing 50,000 text values each time was a tenth of the demo's analysis.
    """
    rows = project.table("indicators")
    key = id(rows)
    cached = _BY_INDICATOR.get(key)
    if cached is None or cached[0]() is not rows:
        groups = {str(k): g for k, g in rows.groupby("indicator", sort=False)}
        _BY_INDICATOR[key] = (weakref.ref(rows, lambda _: _BY_INDICATOR.pop(key, None)), groups)
        cached = _BY_INDICATOR[key]
    return cached[1].get(indicator_id, rows.iloc[:0])


def wide_panel(project: ProjectData, indicator_id: str) -> pd.DataFrame:
    """LAs x years of one indicator; NaN where a cell is suppressed, not available or absent."""
    rows = indicator_rows(project, indicator_id)
    panel = rows.pivot(index="la_code", columns="year", values="value")
    years = range(project.settings.periods.first_year, project.settings.periods.last_year + 1)
    return panel.reindex(columns=list(years)).astype(float)


def denominator_weights(project: ProjectData) -> pd.DataFrame:
    """Population aged 0-17 at mid-(Y-1) for each LA and year Y: the DfE rate denominator.

    Notes
    -----
    A rate for the year ending 31 March Y uses the ONS mid-(Y-1) population aged 0-17. Where that
    estimate is missing the mid-Y estimate is used, and where neither exists the weight is NaN
    (the LA then counts with equal weight in group means; see :func:`group_mean`).
    """
    population = wide_panel(project, "population_0_17")
    previous = population.shift(1, axis=1)
    return previous.fillna(population)


def group_mean(values: pd.DataFrame, weights: pd.DataFrame | None, codes: list[str]) -> pd.Series:
    """Yearly mean over the LAs in ``codes`` that have a value, weighted where weights exist.

    Notes
    -----
    For rates per 10,000 the weight is the LA's denominator population, which makes the mean
    equal to the pooled rate of the group. Percentages and ratios are unweighted means of the
    LA values because their denominators are not published. LAs with a suppressed or missing
    value in a year are left out of that year's mean.
    """
    block = values.reindex(index=codes)
    if weights is None:
        return block.mean(axis=0)
    w = weights.reindex(index=codes, columns=block.columns)
    w = w.where(block.notna()).fillna(w.mean(axis=0)).where(block.notna())
    total = w.sum(axis=0).replace(0.0, np.nan)
    return (block * w).sum(axis=0, min_count=1) / total
