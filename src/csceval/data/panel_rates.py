"""Rates per 10,000 children and spend per child, derived from the counts as DfE derives them.

A rate is count / ONS mid-(Y-1) population aged 0-17 x 10,000, rounded as DfE publishes (CIN
census rates 1 dp, CLA rates whole numbers: the catalogue's ``decimals``); spend per child is
S251 gross spend over the same population, in whole pounds. A rate whose count is suppressed
carries the count's symbol.
"""

from __future__ import annotations

import pandas as pd

from csceval.data.panel_sources import LONG_COLUMNS
from csceval.data.population import add_rates, round_half_up
from csceval.indicators.catalogue import CATALOGUE, Kind

SPEND = "spend_cyp_total_gbp"
DERIVED_RATES: dict[str, tuple[str, int]] = {
    i.id: (i.numerator, i.decimals if i.decimals is not None else 1)
    for i in CATALOGUE
    if i.kind is Kind.RATE and i.numerator is not None
}


def _derive(long: pd.DataFrame) -> pd.DataFrame:
    base = long[~long["indicator"].isin(DERIVED_RATES)]
    rates = {**DERIVED_RATES, "spend_per_child_gbp": (SPEND, 0)}
    derived = add_rates(base[["la_code", "year", "indicator", "value"]], rates)
    derived = derived.iloc[len(base) :]
    derived = derived.assign(symbol="", source="derived: count / ONS mid-(Y-1) population")
    # Spend per child is per child, not per 10,000.
    per_child = derived["indicator"] == "spend_per_child_gbp"
    derived.loc[per_child, "value"] = round_half_up(
        derived.loc[per_child, "value"].to_numpy() / 10_000, 0
    )
    # A rate whose count is suppressed carries the count's symbol.
    symbols = long[(long["symbol"] != "") & long["indicator"].isin({n for n, _ in rates.values()})]
    carried = []
    for rate_id, (numerator, _) in rates.items():
        rows = symbols[symbols["indicator"] == numerator]
        carried.append(rows.assign(indicator=rate_id, source="derived: count suppressed"))
    return pd.concat([base, derived[LONG_COLUMNS], *carried], ignore_index=True)
