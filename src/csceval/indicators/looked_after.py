"""Children looked after (SSDA903) indicators: numbers at 31 March, starters and stability.

Each names the EES file and column its published value comes from; rates are per 10,000
children aged 0-17 and, like the stability percentages, published as whole numbers.
"""

from __future__ import annotations

from csceval.indicators.model import _CLA, _POP, Better, Indicator, Kind

_CLA_RATES = "EES cla_number_and_rate_per_10k_children"
_STABILITY = "EES la_cla_placement_stability"

LOOKED_AFTER: tuple[Indicator, ...] = (
    Indicator(
        "cla_count_31mar",
        "Children looked after at 31 March",
        Kind.COUNT,
        "Children looked after at 31 March.",
        source=_CLA,
        numerator_text="children looked after at 31 March",
        dfe_file=f"{_CLA_RATES}: number / children_count",
    ),
    Indicator(
        "cla_rate_per_10k",
        "Children looked after rate",
        Kind.RATE,
        "Children looked after at 31 March per 10,000 children aged 0-17.",
        numerator="cla_count_31mar",
        source=_CLA,
        numerator_text="children looked after at 31 March",
        denominator_text=_POP,
        dfe_file=f"{_CLA_RATES}: rate_per_10000",
        decimals=0,
    ),
    Indicator(
        "cla_starts_count",
        "Children starting to be looked after",
        Kind.COUNT,
        "Children who started to be looked after in the year.",
        source=_CLA,
        numerator_text="children who started to be looked after in the year",
        dfe_file=f"{_CLA_RATES}: number / children_count",
    ),
    Indicator(
        "cla_starts_rate_per_10k",
        "Rate of children starting to be looked after",
        Kind.RATE,
        "Children starting to be looked after per 10,000 children aged 0-17.",
        numerator="cla_starts_count",
        source=_CLA,
        numerator_text="children who started to be looked after in the year",
        denominator_text=_POP,
        dfe_file=f"{_CLA_RATES}: rate_per_10000",
        decimals=0,
    ),
    Indicator(
        "cla_3plus_placements_pct",
        "Looked-after children with 3 or more placements",
        Kind.PERCENT,
        "Share of children looked after at 31 March who had three or more placements in the year.",
        better=Better.LOWER,
        source=_CLA,
        numerator_text="children looked after at 31 March with 3 or more placements in the year "
        "(short breaks excluded)",
        denominator_text="children looked after at 31 March",
        dfe_file=f"{_STABILITY}: With 3 or more placements during the year",
        decimals=0,
    ),
    Indicator(
        "cla_long_term_stability_pct",
        "Long-term placement stability",
        Kind.PERCENT,
        "Share of children under 16 looked after for 2.5 years or more who have been in the "
        "same placement for 2 years or more.",
        better=Better.HIGHER,
        source=_CLA,
        numerator_text="those living with the same carer for at least 2 years (or placed for "
        "adoption with the previous placement making 2 years)",
        denominator_text="children under 16 at 31 March looked after continuously for 2.5 years "
        "or more",
        dfe_file=f"{_STABILITY}: Living with the same carer for at least 2 years",
        decimals=0,
    ),
)
"""The SSDA903 indicators, in catalogue order."""
