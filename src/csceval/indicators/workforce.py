"""Children's social work workforce census indicators: the 30 September snapshot of year Y.

Turnover, agency workers, vacancies, sickness absence, caseload and social workers in post, all
from the EES ``csww_indicators`` file.
"""

from __future__ import annotations

from csceval.indicators.model import _CSWW, Better, Indicator, Kind

_CSWW_FILE = "EES csww_indicators"

WORKFORCE: tuple[Indicator, ...] = (
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
)
"""The workforce census indicators, in catalogue order."""
