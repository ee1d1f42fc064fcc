"""The key-indicator catalogue: ids, plain-English definitions, units and DfE conventions.

Ids follow the harmonised DfE panel (``csc_la_panel``) so that real DfE data and the simulator's
output use one vocabulary. The year of a CIN/CLA indicator is the year ending 31 March; a rate
for year Y uses the ONS mid-(Y-1) population aged 0-17 (DfE convention); workforce indicators
are the 30 September snapshot of year Y; spend is the financial year ending 31 March Y.

Each entry names its numerator and denominator in words, the DfE file (EES or LAIT) it comes
from, and for rates the decimal places DfE publishes (CIN census rates 1 dp, CLA rates whole
numbers), which ``csceval.data`` uses to derive rates exactly as DfE does. The entries are
declared by family: :mod:`csceval.indicators.children_in_need`,
:mod:`csceval.indicators.looked_after` and :mod:`csceval.indicators.workforce`; population and
spend per child are here.
"""

from __future__ import annotations

from csceval.indicators.children_in_need import CHILDREN_IN_NEED
from csceval.indicators.looked_after import LOOKED_AFTER
from csceval.indicators.model import _S251, Better, Indicator, Kind
from csceval.indicators.workforce import WORKFORCE

__all__ = ["BY_ID", "CATALOGUE", "Better", "Indicator", "Kind", "indicator"]

CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "population_0_17",
        "Population aged 0-17",
        Kind.PERSONS,
        "ONS mid-year estimate of children aged 0-17 living in the LA.",
        source="ONS",
        numerator_text="children aged 0-17 at 30 June",
        dfe_file="EES ons_mid-year_population_estimates: population_estimate",
    ),
    *CHILDREN_IN_NEED,
    *LOOKED_AFTER,
    *WORKFORCE,
    Indicator(
        "spend_per_child_gbp",
        "Spend on children's services per child",
        Kind.RATIO,
        "Gross spending on children and young people's services (S251 outturn, excluding "
        "capital) per child aged 0-17; not adjusted for inflation.",
        source=_S251,
        unit="£ per child",
        numerator_text="gross children and young people's services expenditure (£, S251 "
        "outturn) in the financial year",
        denominator_text="ONS mid-(Y-1) estimate of children aged 0-17",
        dfe_file="LAIT C&YPExpenditure",
        decimals=0,
    ),
)

BY_ID: dict[str, Indicator] = {i.id: i for i in CATALOGUE}


def indicator(indicator_id: str) -> Indicator:
    """The catalogue entry for an id (KeyError if unknown)."""
    return BY_ID[indicator_id]
