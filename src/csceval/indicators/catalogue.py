"""The key-indicator catalogue: ids, plain-English definitions, units and DfE conventions.

Ids follow the harmonised DfE panel (``csc_la_panel``) so that real DfE data and the simulator's
output use one vocabulary. The year of a CIN/CLA indicator is the year ending 31 March; a rate
for year Y uses the ONS mid-(Y-1) population aged 0-17 (DfE convention); workforce indicators
are the 30 September snapshot of year Y.
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


_CIN = "DfE Children in need census"
_CLA = "DfE Children looked after return (SSDA903)"
_CSWW = "DfE Children's social work workforce census"

CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "population_0_17",
        "Population aged 0-17",
        Kind.PERSONS,
        "ONS mid-year estimate of children aged 0-17 living in the LA.",
        source="ONS",
    ),
    Indicator(
        "referrals_count",
        "Referrals",
        Kind.COUNT,
        "Referrals to children's social care in the year ending 31 March.",
        source=_CIN,
    ),
    Indicator(
        "referral_rate_per_10k",
        "Referral rate",
        Kind.RATE,
        "Referrals in the year per 10,000 children aged 0-17.",
        numerator="referrals_count",
        source=_CIN,
    ),
    Indicator(
        "rereferral_within_12m_pct",
        "Re-referrals within 12 months",
        Kind.PERCENT,
        "Share of the year's referrals that came within 12 months of a previous referral "
        "of the same child.",
        better=Better.LOWER,
        source=_CIN,
    ),
    Indicator(
        "cin_count_31mar",
        "Children in need at 31 March",
        Kind.COUNT,
        "Children in need episodes open at 31 March.",
        source=_CIN,
    ),
    Indicator(
        "cin_rate_per_10k",
        "Children in need rate",
        Kind.RATE,
        "Children in need at 31 March per 10,000 children aged 0-17.",
        numerator="cin_count_31mar",
        source=_CIN,
    ),
    Indicator(
        "assessments_within_45_days_pct",
        "Assessments within 45 working days",
        Kind.PERCENT,
        "Share of children's social care assessments completed within 45 working days of "
        "the referral.",
        better=Better.HIGHER,
        source=_CIN,
    ),
    Indicator(
        "s47_count",
        "Section 47 enquiries",
        Kind.COUNT,
        "Section 47 enquiries started in the year.",
        source=_CIN,
    ),
    Indicator(
        "s47_rate_per_10k",
        "Section 47 enquiry rate",
        Kind.RATE,
        "Section 47 enquiries per 10,000 children aged 0-17.",
        numerator="s47_count",
        source=_CIN,
    ),
    Indicator(
        "icpc_count",
        "Initial child protection conferences",
        Kind.COUNT,
        "Initial child protection conferences held in the year.",
        source=_CIN,
    ),
    Indicator(
        "icpc_rate_per_10k",
        "Initial child protection conference rate",
        Kind.RATE,
        "Initial child protection conferences per 10,000 children aged 0-17.",
        numerator="icpc_count",
        source=_CIN,
    ),
    Indicator(
        "icpc_within_15_days_pct",
        "ICPCs within 15 working days",
        Kind.PERCENT,
        "Share of initial child protection conferences held within 15 working days of the "
        "start of the section 47 enquiry.",
        better=Better.HIGHER,
        source=_CIN,
    ),
    Indicator(
        "cpp_count_31mar",
        "Child protection plans at 31 March",
        Kind.COUNT,
        "Children subject to a child protection plan at 31 March.",
        source=_CIN,
    ),
    Indicator(
        "cpp_rate_per_10k",
        "Child protection plan rate",
        Kind.RATE,
        "Children on a child protection plan at 31 March per 10,000 children aged 0-17.",
        numerator="cpp_count_31mar",
        source=_CIN,
    ),
    Indicator(
        "cpp_starts_count",
        "Child protection plans started",
        Kind.COUNT,
        "Child protection plans that started in the year.",
        source=_CIN,
    ),
    Indicator(
        "repeat_cpp_pct",
        "Repeat child protection plans",
        Kind.PERCENT,
        "Share of plans started in the year that were a second or later plan for the child.",
        better=Better.LOWER,
        source=_CIN,
    ),
    Indicator(
        "cpp_2yrs_plus_pct",
        "Child protection plans lasting 2 years or more",
        Kind.PERCENT,
        "Share of plans ending in the year that had lasted two years or more.",
        better=Better.LOWER,
        source=_CIN,
    ),
    Indicator(
        "cla_count_31mar",
        "Children looked after at 31 March",
        Kind.COUNT,
        "Children looked after at 31 March.",
        source=_CLA,
    ),
    Indicator(
        "cla_rate_per_10k",
        "Children looked after rate",
        Kind.RATE,
        "Children looked after at 31 March per 10,000 children aged 0-17.",
        numerator="cla_count_31mar",
        source=_CLA,
    ),
    Indicator(
        "cla_starts_count",
        "Children starting to be looked after",
        Kind.COUNT,
        "Children who started to be looked after in the year.",
        source=_CLA,
    ),
    Indicator(
        "cla_starts_rate_per_10k",
        "Rate of children starting to be looked after",
        Kind.RATE,
        "Children starting to be looked after per 10,000 children aged 0-17.",
        numerator="cla_starts_count",
        source=_CLA,
    ),
    Indicator(
        "cla_3plus_placements_pct",
        "Looked-after children with 3 or more placements",
        Kind.PERCENT,
        "Share of children looked after at 31 March who had three or more placements in the year.",
        better=Better.LOWER,
        source=_CLA,
    ),
    Indicator(
        "cla_long_term_stability_pct",
        "Long-term placement stability",
        Kind.PERCENT,
        "Share of children under 16 looked after for 2.5 years or more who have been in the "
        "same placement for 2 years or more.",
        better=Better.HIGHER,
        source=_CLA,
    ),
    Indicator(
        "sw_turnover_pct",
        "Social worker turnover",
        Kind.PERCENT,
        "Leavers in the year as a share of social worker FTE at 30 September.",
        better=Better.LOWER,
        source=_CSWW,
    ),
    Indicator(
        "sw_agency_pct",
        "Agency social workers",
        Kind.PERCENT,
        "Agency social workers as a share of all social worker FTE at 30 September.",
        better=Better.LOWER,
        source=_CSWW,
    ),
    Indicator(
        "sw_vacancy_pct",
        "Social worker vacancies",
        Kind.PERCENT,
        "Vacant social worker posts as a share of all posts at 30 September.",
        better=Better.LOWER,
        source=_CSWW,
    ),
    Indicator(
        "sw_caseload",
        "Average caseload",
        Kind.RATIO,
        "Cases per social worker FTE at 30 September.",
        better=Better.LOWER,
        source=_CSWW,
        unit="cases per FTE",
    ),
)

BY_ID: dict[str, Indicator] = {i.id: i for i in CATALOGUE}


def indicator(indicator_id: str) -> Indicator:
    """The catalogue entry for an id (KeyError if unknown)."""
    return BY_ID[indicator_id]
