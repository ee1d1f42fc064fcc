"""What a return asks for: the indicators (from the catalogue), the cost categories, the sheets.

The template writer (:mod:`.template`) and the upload reader (:mod:`.upload`) both follow this
module, so a template always reads back.

Methodological choices:

- Every catalogue indicator except the ONS population is asked for (the population is not the
  LA's to report). Rates are asked for as well as their counts, as DfE publishes both; a blank
  cell means "not given", never zero.
- Counts and persons must be whole numbers; rates, ratios and percentages may have up to four
  decimal places; percentages lie in 0-100.
- Cost lines are the cost ledger's rows (``data/cost_ledger.csv``): the same category ids
  (:data:`csceval.strands.costs.categories.CATEGORIES`), one-off/ongoing and cash/time; a
  description
  (the ledger's ``item``) and a source are required, as the ledger requires them. Figures are in
  the cash prices of the return's financial year.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from csceval.indicators.catalogue import CATALOGUE, Indicator, Kind
from csceval.strands.costs.categories import CATEGORIES, KINDS, TIMINGS

TEMPLATE_VERSION = "1"

INSTRUCTIONS_SHEET = "Instructions"
INDICATORS_SHEET = "Key indicators"
COSTS_SHEET = "Costs"
LISTS_SHEET = "Lists"

# Cells of the Instructions sheet that identify the return the template was made for.
LA_CODE_CELL = "B3"
LA_NAME_CELL = "B4"
PERIOD_CELL = "B5"
VERSION_CELL = "B6"

INDICATOR_HEADERS = ("Indicator id", "Indicator", "Unit", "Definition", "Value")
INDICATOR_VALUE_COLUMN = "E"
COST_HEADERS = (
    "Category",
    "Description",
    "One-off or ongoing",
    "Cash or time",
    "Amount (£)",
    "Hours",
    "Cost per hour (£)",
    "Source of the figure",
)
COST_ROWS = 200
"""Blank cost lines in the template (rows 2..201); uploads may not go beyond them."""

MAX_DECIMAL_PLACES = 4
MAX_VALUE = Decimal("999999999999")


@dataclass(frozen=True)
class CostCategory:
    id: str
    label: str


COST_CATEGORIES: tuple[CostCategory, ...] = tuple(CostCategory(k, v) for k, v in CATEGORIES.items())
CATEGORY_BY_LABEL = {c.label.casefold(): c for c in COST_CATEGORIES}
CATEGORY_BY_ID = {c.id: c for c in COST_CATEGORIES}
RECURRENCE_LABELS = dict(zip(TIMINGS, ("One-off", "Ongoing"), strict=True))
KIND_LABELS = dict(zip(KINDS, ("Cash", "Time"), strict=True))


def return_indicators() -> tuple[Indicator, ...]:
    """The indicators a return asks for, in catalogue order."""
    return tuple(i for i in CATALOGUE if i.kind is not Kind.PERSONS)


def is_whole(indicator: Indicator) -> bool:
    return indicator.kind in (Kind.COUNT, Kind.PERSONS)


def upper_bound(indicator: Indicator) -> Decimal | None:
    return Decimal(100) if indicator.kind is Kind.PERCENT else None


def rule_text(indicator: Indicator) -> str:
    """The rule for the value, as the template's input message and error texts say it."""
    if is_whole(indicator):
        return "a whole number, 0 or more"
    if indicator.kind is Kind.PERCENT:
        return "a percentage from 0 to 100"
    return "a number, 0 or more"
