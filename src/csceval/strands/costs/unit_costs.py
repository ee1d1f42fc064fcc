"""Unit costs of children's social care activity: a default table with sources, editable.

Defaults are from the GMCA (New Economy) Unit Cost Database, supplementary Green Book guidance,
as transcribed from v1.4 (GO Lab, Oxford); each carries its UCD code and original price year.
**Re-check them against the current GMCA workbook (v3.0, CC BY 4.0) before relying on them.**
Only entries whose price year the shipped deflator series covers (2010-11 onwards) are
defaults. An entry to care (the child-level strand's activity) is valued at one year of care at
SS1.0. The UCD's children-in-need process costs (SS5.0, 2008-09), child protection core
assessment (SS4.0, 2004-05) and CSC assessment costs (SS6.1-6.4, 2009-10) are older; the UCD has
no cost of a child protection plan. A project adds or replaces unit costs in
``data/unit_costs.csv`` (activity, unit, cost_gbp, price_year, source, se_gbp); a row whose
activity matches a default replaces it.

No standard errors are published for these figures. Where ``se_gbp`` is not given the PSA uses
``[costs] unit_cost_se_share`` x the cost (an assumption, stated in the report).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from csceval.strands.costs.price_base import Deflator

UCD = "GMCA Unit Cost Database v1.4"


@dataclass(frozen=True, slots=True)
class UnitCost:
    """The cost of one unit of an activity, in its own price year."""

    activity: str
    unit: str
    cost_gbp: float
    price_year: str
    source: str
    se_gbp: float | None = None

    def in_prices_of(self, deflator: Deflator, year: str) -> UnitCost:
        factor = deflator.factor(self.price_year, year)
        se = None if self.se_gbp is None else self.se_gbp * factor
        return replace(self, cost_gbp=self.cost_gbp * factor, price_year=year, se_gbp=se)


DEFAULT_UNIT_COSTS: tuple[UnitCost, ...] = (
    UnitCost(
        "looked_after_child_year",
        "child-year in care",
        51_080,
        "2013-14",
        f"{UCD}, SS1.0: child taken into care, average fiscal cost across settings",
    ),
    UnitCost(
        "care_entry",
        "entry to care (its first year in care)",
        51_080,
        "2013-14",
        f"{UCD}, SS1.0: child taken into care, average fiscal cost across settings, for the "
        "first year of care only (longer stays are not counted: a conservative valuation)",
    ),
    UnitCost(
        "foster_care_week",
        "child-week in LA foster care",
        700,
        "2013-14",
        f"{UCD}, SS2.0: LA foster care, overall",
    ),
    UnitCost(
        "residential_care_week",
        "child-week in an LA children's home",
        2_995,
        "2013-14",
        f"{UCD}, SS3.0: LA residential children's home",
    ),
    UnitCost(
        "early_help_assessment",
        "CAF episode (6 months)",
        1_515,
        "2010-11",
        f"{UCD}, SS6.0: Common Assessment Framework, mean",
    ),
    UnitCost(
        "social_worker_hour",
        "hour",
        40,
        "2013-14",
        f"{UCD}, SS18.3: children's social worker, without qualification costs",
    ),
    UnitCost(
        "team_leader_hour",
        "hour",
        51,
        "2013-14",
        f"{UCD}, SS18.5: team leader / senior practitioner",
    ),
    UnitCost(
        "family_support_worker_hour",
        "hour",
        30,
        "2013-14",
        f"{UCD}, SS18.10: family support worker",
    ),
)


def unit_cost_table(project_rows: Iterable[UnitCost] = ()) -> dict[str, UnitCost]:
    """Defaults by activity, with a project's rows added or replacing them."""
    table = {u.activity: u for u in DEFAULT_UNIT_COSTS}
    table.update({u.activity: u for u in project_rows})
    return table
