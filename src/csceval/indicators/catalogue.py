"""The key-indicator catalogue: ids, plain-English definitions, units and DfE conventions.

Ids follow the harmonised DfE panel (``csc_la_panel``) so that real DfE data and the simulator's
output use one vocabulary. The year of a CIN/CLA indicator is the year ending 31 March; a rate
for year Y uses the ONS mid-(Y-1) population aged 0-17 (DfE convention); workforce indicators
are the 30 September snapshot of year Y; spend is the financial year ending 31 March Y.

Each entry names its numerator and denominator in words, the DfE file (EES or LAIT) it comes
from, and for rates the decimal places DfE publishes (CIN census rates 1 dp, CLA rates whole
numbers), which ``csceval.data`` uses to derive rates exactly as DfE does.
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


_CIN = "DfE Children in need census"
_CLA = "DfE Children looked after return (SSDA903)"
_CSWW = "DfE Children's social work workforce census"
_S251 = "DfE Section 251 outturn"

_POP = "ONS mid-(Y-1) estimate of children aged 0-17 in the LA, / 10,000"
_B1 = "EES b1_children_in_need: At31_episodes"
_C1 = "EES c1_children_in_need_referrals_and_rereferrals"
_C4 = "EES c4_children_in_need_section_47s_and_icpcs"
_D3 = "EES d3_cpps_subsequent_plan"
_D5 = "EES d5_cpps_at31march_by_duration"
_CLA_RATES = "EES cla_number_and_rate_per_10k_children"
_STABILITY = "EES la_cla_placement_stability"
_CSWW_FILE = "EES csww_indicators"

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
    Indicator(
        "referrals_count",
        "Referrals",
        Kind.COUNT,
        "Referrals to children's social care in the year ending 31 March.",
        source=_CIN,
        numerator_text="referrals received in the year",
        dfe_file=f"{_C1}: referral_count",
    ),
    Indicator(
        "referral_rate_per_10k",
        "Referral rate",
        Kind.RATE,
        "Referrals in the year per 10,000 children aged 0-17.",
        numerator="referrals_count",
        source=_CIN,
        numerator_text="referrals received in the year",
        denominator_text=_POP,
        dfe_file=f"{_C1}: referral_count; LAIT CPP_Total_Rateper10,000",
        decimals=1,
    ),
    Indicator(
        "rereferral_within_12m_pct",
        "Re-referrals within 12 months",
        Kind.PERCENT,
        "Share of the year's referrals that came within 12 months of a previous referral "
        "of the same child.",
        better=Better.LOWER,
        source=_CIN,
        numerator_text="referrals within 12 months of a previous referral of the same child",
        denominator_text="referrals in the year",
        dfe_file=f"{_C1}: rereferral_percent",
        decimals=1,
    ),
    Indicator(
        "cin_count_31mar",
        "Children in need at 31 March",
        Kind.COUNT,
        "Children in need episodes open at 31 March.",
        source=_CIN,
        numerator_text="children in need episodes open at 31 March",
        dfe_file=_B1,
    ),
    Indicator(
        "cin_rate_per_10k",
        "Children in need rate",
        Kind.RATE,
        "Children in need at 31 March per 10,000 children aged 0-17.",
        numerator="cin_count_31mar",
        source=_CIN,
        numerator_text="children in need episodes open at 31 March",
        denominator_text=_POP,
        dfe_file=f"{_B1}; LAIT CIN",
        decimals=1,
    ),
    Indicator(
        "assessments_within_45_days_pct",
        "Assessments within 45 working days",
        Kind.PERCENT,
        "Share of children's social care assessments completed in the year that took 45 "
        "working days or fewer from their start to their authorisation.",
        better=Better.HIGHER,
        source=_CIN,
        numerator_text="assessments completed within 45 working days (England bank holidays "
        "excluded)",
        denominator_text="assessments completed in the year",
        dfe_file="LAIT Continue_Assess_Comp (EES c2)",
        decimals=1,
    ),
    Indicator(
        "s47_count",
        "Section 47 enquiries",
        Kind.COUNT,
        "Section 47 enquiries started in the year.",
        source=_CIN,
        numerator_text="section 47 enquiries started in the year",
        dfe_file=f"{_C4}: Section47",
    ),
    Indicator(
        "s47_rate_per_10k",
        "Section 47 enquiry rate",
        Kind.RATE,
        "Section 47 enquiries per 10,000 children aged 0-17.",
        numerator="s47_count",
        source=_CIN,
        numerator_text="section 47 enquiries started in the year",
        denominator_text=_POP,
        dfe_file=f"{_C4}: Section47; LAIT Section_47",
        decimals=1,
    ),
    Indicator(
        "icpc_count",
        "Initial child protection conferences",
        Kind.COUNT,
        "Initial child protection conferences held in the year.",
        source=_CIN,
        numerator_text="initial child protection conferences held in the year",
        dfe_file=f"{_C4}: ICPC",
    ),
    Indicator(
        "icpc_rate_per_10k",
        "Initial child protection conference rate",
        Kind.RATE,
        "Initial child protection conferences per 10,000 children aged 0-17.",
        numerator="icpc_count",
        source=_CIN,
        numerator_text="initial child protection conferences held in the year",
        denominator_text=_POP,
        dfe_file=f"{_C4}: ICPC; LAIT ISCP_Conf",
        decimals=1,
    ),
    Indicator(
        "icpc_within_15_days_pct",
        "ICPCs within 15 working days",
        Kind.PERCENT,
        "Share of initial child protection conferences held within 15 working days of the "
        "start of the section 47 enquiry.",
        better=Better.HIGHER,
        source=_CIN,
        numerator_text="ICPCs held within 15 working days of the strategy discussion that "
        "started the section 47 enquiry",
        denominator_text="ICPCs held in the year",
        dfe_file="LAIT CP_conf_15days",
        decimals=1,
    ),
    Indicator(
        "cpp_count_31mar",
        "Child protection plans at 31 March",
        Kind.COUNT,
        "Children subject to a child protection plan at 31 March.",
        source=_CIN,
        numerator_text="children on a child protection plan at 31 March",
        dfe_file=f"{_D5}: CPP_At31",
    ),
    Indicator(
        "cpp_rate_per_10k",
        "Child protection plan rate",
        Kind.RATE,
        "Children on a child protection plan at 31 March per 10,000 children aged 0-17.",
        numerator="cpp_count_31mar",
        source=_CIN,
        numerator_text="children on a child protection plan at 31 March",
        denominator_text=_POP,
        dfe_file=f"{_D5}: CPP_At31; LAIT CPP_rate",
        decimals=1,
    ),
    Indicator(
        "cpp_starts_count",
        "Child protection plans started",
        Kind.COUNT,
        "Child protection plans that started in the year.",
        source=_CIN,
        numerator_text="child protection plans started in the year",
        dfe_file=f"{_D3}: CPP_start",
    ),
    Indicator(
        "repeat_cpp_pct",
        "Repeat child protection plans",
        Kind.PERCENT,
        "Share of plans started in the year that were a second or later plan for the child.",
        better=Better.LOWER,
        source=_CIN,
        numerator_text="plans started in the year that were a second or subsequent plan",
        denominator_text="plans started in the year",
        dfe_file=f"{_D3}: CPP_subsequent_percent",
        decimals=1,
    ),
    Indicator(
        "cpp_2yrs_plus_pct",
        "Child protection plans lasting 2 years or more",
        Kind.PERCENT,
        "Share of children on a plan at 31 March whose plan had lasted two years or more.",
        better=Better.LOWER,
        source=_CIN,
        numerator_text="plans open at 31 March that had lasted 2 years or more",
        denominator_text="plans open at 31 March",
        dfe_file=f"{_D5}: 2_years_or_more_percent",
        decimals=1,
    ),
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
    Indicator(
        "sw_turnover_pct",
        "Social worker turnover",
        Kind.PERCENT,
        "Leavers in the year as a share of social worker FTE at 30 September.",
        better=Better.LOWER,
        source=_CSWW,
        numerator_text="FTE social workers who left in the 12 months to 30 September",
        denominator_text="FTE social workers in post at 30 September",
        dfe_file=f"{_CSWW_FILE}: turnover_rate_fte",
        decimals=1,
    ),
    Indicator(
        "sw_agency_pct",
        "Agency social workers",
        Kind.PERCENT,
        "Agency social workers as a share of all social worker FTE at 30 September.",
        better=Better.LOWER,
        source=_CSWW,
        numerator_text="agency social worker FTE at 30 September",
        denominator_text="agency plus employed social worker FTE",
        dfe_file=f"{_CSWW_FILE}: agency_rate_fte",
        decimals=1,
    ),
    Indicator(
        "sw_vacancy_pct",
        "Social worker vacancies",
        Kind.PERCENT,
        "Vacant social worker posts as a share of all posts at 30 September.",
        better=Better.LOWER,
        source=_CSWW,
        numerator_text="vacant social worker posts (FTE) at 30 September",
        denominator_text="vacancies plus employed social worker FTE",
        dfe_file=f"{_CSWW_FILE}: vacancy_rate_fte",
        decimals=1,
    ),
    Indicator(
        "sw_absence_pct",
        "Social worker sickness absence",
        Kind.PERCENT,
        "Working days lost to sickness absence as a share of available working days.",
        better=Better.LOWER,
        source=_CSWW,
        numerator_text="working days lost to sickness absence in the year (FTE)",
        denominator_text="working days available: FTE in post x 253 days",
        dfe_file=f"{_CSWW_FILE}: absence_rate_fte",
        decimals=1,
    ),
    Indicator(
        "sw_caseload",
        "Average caseload",
        Kind.RATIO,
        "Cases per social worker FTE at 30 September.",
        better=Better.LOWER,
        source=_CSWW,
        unit="cases per FTE",
        numerator_text="cases held at 30 September",
        denominator_text="case-holding social worker FTE",
        dfe_file=f"{_CSWW_FILE}: caseload_fte",
        decimals=1,
    ),
    Indicator(
        "sw_fte",
        "Social workers (FTE)",
        Kind.RATIO,
        "Children and family social workers in post at 30 September, full-time equivalent.",
        source=_CSWW,
        unit="FTE",
        numerator_text="children and family social workers in post (FTE)",
        dfe_file=f"{_CSWW_FILE}: inpost_fte",
        decimals=1,
    ),
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
