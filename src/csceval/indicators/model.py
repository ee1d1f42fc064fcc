"""The indicator type: what each catalogue entry declares, and the sources the entries name.

An :class:`Indicator` gives its id, title, kind (count, rate per 10,000, percentage, ratio,
persons), which direction is better, its numerator and denominator in words, the DfE file it
comes from and, for rates, the decimal places DfE publishes. What year Y means depends on the
source: the year ending 31 March for CIN/CLA indicators (a rate's population is the ONS mid-(Y-1)
estimate), the 30 September snapshot for the workforce census, the financial year ending
31 March for S251 spend.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    COUNT = "count"
    RATE = "rate_per_10k"
    PERCENT = "percent"
    RATIO = "ratio"
    PERSONS = "persons"


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


@dataclass(frozen=True, slots=True)
class Indicator:
    """One key indicator."""

    id: str
    title: str
    kind: Kind
    definition: str
    better: Better = Better.NEITHER
    numerator: str | None = None
    source: str = "DfE"
    unit: str = ""
    numerator_text: str = ""
    """The numerator (or the counted thing) in words."""
    denominator_text: str = ""
    """The denominator in words; empty for a count."""
    dfe_file: str = ""
    """The DfE file and column the published value comes from."""
    decimals: int | None = None
    """Decimal places DfE publishes (rates derived from counts are rounded to these)."""

    @property
    def year_convention(self) -> str:
        """What year Y means for this indicator, and the population year of a rate."""
        if self.source == _CSWW:
            return "30 September snapshot of year Y"
        if self.source == "ONS":
            return "ONS mid-year estimate for 30 June of year Y"
        if self.source == _S251:
            return "financial year ending 31 March Y; per child uses ONS mid-(Y-1) population"
        if self.kind is Kind.RATE:
            return "year ending 31 March Y; denominator ONS mid-(Y-1) population aged 0-17"
        return "year ending 31 March Y"

    @property
    def unit_label(self) -> str:
        return (
            self.unit
            or {
                Kind.COUNT: "children",
                Kind.RATE: "per 10,000 children aged 0-17",
                Kind.PERCENT: "%",
                Kind.RATIO: "",
                Kind.PERSONS: "people",
            }[self.kind]
        )


# The sources (``Indicator.source``) and the denominator of every rate per 10,000 children.
_CIN = "DfE Children in need census"
_CLA = "DfE Children looked after return (SSDA903)"
_CSWW = "DfE Children's social work workforce census"
_S251 = "DfE Section 251 outturn"

_POP = "ONS mid-(Y-1) estimate of children aged 0-17 in the LA, / 10,000"
