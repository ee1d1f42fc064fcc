"""ONS mid-year population aged 0-17 by LA (the EES-shaped file) and DfE rates per 10,000.

Year convention (DfE's, confirmed on the real files: see ``docs/methods.md``): a rate for the year
ending 31 March Y divides the count by the ONS mid-(Y-1) estimate, i.e. the population row whose
``time_period`` is Y-1. In a panel ``population_0_17`` in year Y is the mid-Y estimate.

Rounding: DfE publishes CIN-census rates to 1 decimal place and CLA rates as whole numbers; the
rate is rounded half away from zero, after a first rounding to 9 places so that binary noise
(12.45 stored as 12.4499999...) cannot decide the half.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from csceval.data.ees import read_ees
from csceval.errors import InputError, Problem

AGE_GROUP = "Children aged 0 to 17 years"
POPULATION = "population_0_17"


def read_population(path: Path) -> pd.DataFrame:
    """Population aged 0-17: ``geographic_level, la_code, gss_code, region_code, year, population``.

    ``year`` is the mid-year of the estimate (``time_period``). LA rows only carry ``la_code``.
    """
    table = read_ees(path, indicators=("population_estimate",), required=("age_group",))
    frame = table.frame[table.frame["age_group"] == AGE_GROUP]
    if frame.empty:
        raise InputError(
            [
                Problem(
                    "CSC-E4015",
                    f"no rows with age_group {AGE_GROUP!r}",
                    table.file,
                    column="age_group",
                    value=", ".join(sorted(table.frame["age_group"].unique())[:5]),
                )
            ]
        )
    get = frame.get
    empty = pd.Series("", index=frame.index)
    return pd.DataFrame(
        {
            "geographic_level": frame["geographic_level"],
            "la_code": get("old_la_code", empty),
            "gss_code": get("new_la_code", empty),
            "region_code": get("region_code", empty),
            "year": frame["year"],
            "population": frame["population_estimate"],
        }
    ).reset_index(drop=True)


def round_half_up(values: np.ndarray | pd.Series, decimals: int) -> np.ndarray:
    """Round half away from zero, as DfE's published tables do."""
    array = np.round(np.asarray(values, dtype="float64"), 9)
    scale = 10.0**decimals
    rounded: np.ndarray = np.sign(array) * np.floor(np.abs(array) * scale + 0.5) / scale
    return rounded


def rate_per_10k(
    count: np.ndarray | pd.Series, population: np.ndarray | pd.Series, decimals: int
) -> np.ndarray:
    """Count per 10,000 of the population, rounded as DfE publishes it (NaN where unknown)."""
    count_a = np.asarray(count, dtype="float64")
    pop_a = np.asarray(population, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = np.where(pop_a > 0, count_a / pop_a * 10_000, np.nan)
    return round_half_up(raw, decimals)


def add_rates(panel: pd.DataFrame, rates: Mapping[str, tuple[str, int]]) -> pd.DataFrame:
    """Add rate rows to a long panel (``la_code, year, indicator, value``).

    ``rates``: rate id -> (numerator id, decimals). The denominator is ``population_0_17`` of
    year Y-1 for a rate of year Y.
    """
    if not rates:
        return panel
    pop = panel[panel["indicator"] == POPULATION][["la_code", "year", "value"]].copy()
    pop["year"] = pop["year"] + 1
    pop = pop.rename(columns={"value": "population"})
    added = []
    for rate_id, (numerator, decimals) in rates.items():
        counts = panel[panel["indicator"] == numerator][["la_code", "year", "value"]]
        joined = counts.merge(pop, on=["la_code", "year"], how="inner")
        joined["value"] = rate_per_10k(joined["value"], joined["population"], decimals)
        joined["indicator"] = rate_id
        added.append(joined.dropna(subset=["value"])[["la_code", "year", "indicator", "value"]])
    return pd.concat([panel, *added], ignore_index=True)
