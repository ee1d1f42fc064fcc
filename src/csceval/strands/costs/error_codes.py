"""Error codes of the cost strand (E3000-E3099): the cost ledger and cost-benefit inputs."""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "CSC-E3001": "Cost ledger: the category is not one of the cost categories.",
    "CSC-E3002": "Cost ledger: hours, an amount or a unit cost is negative.",
    "CSC-E3003": "Cost ledger: the price year of a figure is missing.",
    "CSC-E3004": "A price year is not written like 2017-18, or the deflator series does not "
    "cover it (add it to data/deflators.csv).",
    "CSC-E3005": "Cost ledger: the financial year is not one of the evaluation's "
    "periods.financial_years.",
    "CSC-E3006": "Cost ledger: kind is not cash or time, or one_off_or_ongoing is not one_off "
    "or ongoing.",
    "CSC-E3007": "Cost ledger: a cash row lacks amount_gbp, or a time row lacks hours or "
    "unit_cost_gbp (or a row gives both an amount and hours).",
    "CSC-E3008": "Cost ledger: the source of a figure is missing.",
    "CSC-E3009": "Cost ledger or activity changes: the LA is not a pilot site of the evaluation.",
    "CSC-E3010": "Cost ledger import: the XLSX file cannot be read, or the sheet is missing.",
    "CSC-E3011": "Cost ledger import: a required column is missing from the sheet's header row, "
    "or a column is not a ledger column.",
    "CSC-E3012": "Activity changes: the activity has no unit cost (add it to data/unit_costs.csv).",
    "CSC-E3013": "Activity changes or unit costs: a standard error is negative.",
    "CSC-E3014": "Unit costs or deflators: a cost or an index is not above zero.",
    "CSC-E3015": "csceval costs workbook: the project has no cost ledger (data/cost_ledger.csv).",
}
