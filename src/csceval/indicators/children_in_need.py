"""Children in need census indicators: referrals, assessments, section 47, ICPCs and plans.

Referrals and re-referrals, children in need at 31 March, assessment timeliness, section 47
enquiries, initial child protection conferences (ICPCs) and child protection plans. Each names
the EES or LAIT file and column its published value comes from; rates are per 10,000 children
aged 0-17, published to 1 dp.
"""

from __future__ import annotations

from csceval.indicators.model import _CIN, _POP, Better, Indicator, Kind

_B1 = "EES b1_children_in_need: At31_episodes"
_C1 = "EES c1_children_in_need_referrals_and_rereferrals"
_C4 = "EES c4_children_in_need_section_47s_and_icpcs"
_D3 = "EES d3_cpps_subsequent_plan"
_D5 = "EES d5_cpps_at31march_by_duration"

CHILDREN_IN_NEED: tuple[Indicator, ...] = (
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
)
"""The CIN census indicators, in catalogue order."""
