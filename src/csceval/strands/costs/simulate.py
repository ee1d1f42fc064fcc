"""Synthetic implementation cost ledgers and unit costs for the simulated pilots.

Modelling choices (all figures are SYNTHETIC, for the demo and tests, not estimates):

- For each pilot and each of the evaluation's financial years (2017-18, 2018-19), one row per
  cost category. The workforce trained scales with the pilot's children in need (about one
  practitioner per 16 children in need at 31 March 2018); training is two days (14 hours) per
  practitioner, one-off in the first year and a half-day refresher after; trainers, licences,
  backfill, practice leads, leadership time, case-recording changes (first year only), travel
  and overheads are drawn around plausible amounts. Prices are those of the year of spending.
- A pilot that exits has half its second-year costs.
- ``data/activity_changes.csv`` is written with its header and no rows (the format shown, no
  override): the cost-benefit analysis values the impact strand's estimates, as in a real
  evaluation; the simulator's true effects are in ``truth.json`` only.
- A child protection plan has no published unit cost, so the project gets clearly labelled
  illustrative ones in ``data/unit_costs.csv`` (a child-year on a plan, for the LA-level
  source, and a plan started, for the child-level one).
- ``data/deflators.csv`` is csceval's default deflator series written out, to show the format.
"""

from __future__ import annotations

from csceval.simulate.rng import stream
from csceval.simulate.world import World
from csceval.simulate.writer import table_csv
from csceval.strands.costs.price_base import DEFAULT_SOURCE, default_financial_year_index
from csceval.strands.costs.tables import ACTIVITY_CHANGES, COST_LEDGER, DEFLATORS, UNIT_COSTS

FINANCIAL_YEARS = ("2017-18", "2018-19")
SOURCE = "SYNTHETIC: simulated by csceval"
ITEMS = {
    "trainers_consultancy": "Framework trainers and consultants",
    "licences": "Framework licence",
    "backfill": "Agency cover for staff in training",
    "recording_system": "Case-recording forms rebuilt",
    "travel": "Travel to workshops",
    "overheads": "Venues and materials",
}
SIMULATED_UNIT_COSTS = (
    (
        "child_protection_plan_year",
        "child-year on a child protection plan",
        9000,
        "2019-20",
        "SYNTHETIC illustrative figure, not a published unit cost",
        3000,
    ),
    (
        "child_protection_plan_start",
        "child protection plan started",
        7000,
        "2019-20",
        "SYNTHETIC illustrative figure, not a published unit cost",
        2500,
    ),
)


def _size(world: World, code: str, indicator: str, year: int) -> float:
    panel = world.panel
    hit = panel[
        (panel["la_code"] == code) & (panel["year"] == year) & (panel["indicator"] == indicator)
    ]
    return float(hit["expected"].iloc[0]) if len(hit) else 0.0


def cost_ledger_rows(world: World) -> list[list[object]]:
    """Rows of ``data/cost_ledger.csv`` in the table's column order, sorted."""
    rows: list[list[object]] = []
    for pilot in sorted(world.design.pilots, key=lambda p: p.la_code):
        rng = stream(world.seed, "costs", pilot.la_code)
        staff = max(20, round(_size(world, pilot.la_code, "cin_count_31mar", 2018) / 16))
        for k, fy in enumerate(FINANCIAL_YEARS):
            scale = 0.5 if (k and pilot.exit_date is not None) else 1.0
            hour = round(float(rng.uniform(42, 48)), 2)
            training_hours = staff * (14 if k == 0 else 4)
            cash = {
                "trainers_consultancy": rng.uniform(40_000, 90_000) * (1.0 if k == 0 else 0.4),
                "licences": rng.uniform(8_000, 15_000),
                "backfill": rng.uniform(15_000, 50_000) * (1.0 if k == 0 else 0.3),
                "recording_system": rng.uniform(15_000, 50_000) if k == 0 else 0.0,
                "travel": rng.uniform(2_000, 6_000),
                "overheads": rng.uniform(5_000, 12_000),
            }
            lead_hours, leader_hours = 2 * 1600, float(rng.uniform(200, 400))
            timing = "one_off" if k == 0 else "ongoing"
            entries: list[tuple[str, str, str, str, object, object, object]] = [
                (
                    "practitioner_training",
                    "Practitioner workshops",
                    timing,
                    "time",
                    "",
                    round(training_hours * scale),
                    hour,
                ),
                (
                    "practice_leads",
                    "Two practice leads",
                    "ongoing",
                    "time",
                    "",
                    round(lead_hours * scale),
                    round(hour * 1.1, 2),
                ),
                (
                    "leadership_time",
                    "Senior leaders' time",
                    "ongoing",
                    "time",
                    "",
                    round(leader_hours * scale),
                    round(hour * 1.6, 2),
                ),
            ]
            for category, amount in cash.items():
                if amount:
                    ongoing = category in ("licences", "travel", "overheads") or k > 0
                    entries.append(
                        (
                            category,
                            ITEMS[category],
                            "ongoing" if ongoing else "one_off",
                            "cash",
                            round(float(amount) * scale),
                            "",
                            "",
                        )
                    )
            rows += [[pilot.la_code, fy, *entry[:4], *entry[4:], fy, SOURCE] for entry in entries]
    return sorted(rows, key=lambda r: (str(r[0]), str(r[1]), str(r[2]), str(r[3])))


def unit_cost_rows() -> list[list[object]]:
    return [list(row) for row in SIMULATED_UNIT_COSTS]


def deflator_rows() -> list[list[object]]:
    """``data/deflators.csv``: csceval's default series written out, so the format is shown."""
    return [
        [fy, round(index, 4), DEFAULT_SOURCE]
        for fy, index in default_financial_year_index().items()
    ]


def cost_files(world: World) -> dict[str, str]:
    """The cost strand's files of a simulated project: ledger, unit costs, deflators, and an
    empty activity-changes table (no override)."""
    return {
        COST_LEDGER.file: table_csv(COST_LEDGER, cost_ledger_rows(world)),
        UNIT_COSTS.file: table_csv(UNIT_COSTS, unit_cost_rows()),
        ACTIVITY_CHANGES.file: table_csv(ACTIVITY_CHANGES, []),
        DEFLATORS.file: table_csv(DEFLATORS, deflator_rows()),
    }
