"""An XLSX workbook an analyst can audit line by line: ledger, price conversion, unit costs, CBA.

Each derived figure is an Excel formula over cells of the workbook (the ledger cost, its
deflation, the discount factors, the present values, NPV and BCR), and where csceval computed
the same figure its value stands in the next column, so a reviewer can see both agree. The
file is deterministic (fixed dates and zip timestamps, as ``report/xlsx.py``).
"""

from __future__ import annotations

import math
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from csceval.atomic import write_file
from csceval.report.xlsx import FIXED_TIME, _normalise_zip
from csceval.strands.costs.analysis import CostsResult
from csceval.strands.costs.categories import CATEGORIES
from csceval.strands.costs.discounting import rates

BOLD = Font(bold=True)
MONEY, FACTOR = "#,##0.00", "0.000000"


def _row(ws: Any, values: list[object], bold: bool = False) -> int:
    ws.append([None if isinstance(v, float) and math.isnan(v) else v for v in values])
    if bold:
        for cell in ws[ws.max_row]:
            cell.font = BOLD
    return int(ws.max_row)


def _about(wb: Workbook, result: CostsResult) -> None:
    ws = wb.active
    ws.title = "About"
    s = result.settings
    _row(ws, ["Costs and cost-benefit analysis: audit workbook"], bold=True)
    for line in (
        ["Price base (financial year)", result.base_year],
        ["Financial years of the ledger", ", ".join(result.financial_years)],
        ["Discount schedule (Green Book)", s.discount_schedule],
        ["Horizon (years, year 0 first)", result.model.horizon if result.model else ""],
        ["Optimism bias on costs", s.optimism_bias],
        ["Savings start in year", s.benefits_start_year],
        ["Ongoing costs continue after the ledger", str(s.ongoing_costs_continue)],
        ["Monte Carlo draws, seed", f"{s.draws}, {s.seed}"],
        [
            "How to read",
            "Columns headed 'formula' are Excel formulas over this workbook; "
            "columns headed 'csceval' hold the value csceval computed, for comparison.",
        ],
    ):
        _row(ws, list(line))
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 40, 90


def _deflators(wb: Workbook, result: CostsResult) -> None:
    ws = wb.create_sheet("Deflators")
    _row(ws, ["financial_year", "index", "source"], bold=True)
    for year in sorted(result.deflator.index):
        _row(ws, [year, result.deflator.index[year], result.deflator.sources[year]])


def _lookup(year_cell: str) -> str:
    return f"VLOOKUP({year_cell},Deflators!$A:$B,2,FALSE)"


def _ledger(wb: Workbook, result: CostsResult) -> None:
    ws = wb.create_sheet("Ledger")
    _row(
        ws,
        [
            "la_code",
            "financial_year",
            "category",
            "item",
            "one_off_or_ongoing",
            "kind",
            "amount_gbp",
            "hours",
            "unit_cost_gbp",
            "price_year",
            "source",
            "cost (formula)",
            "deflator of price year (formula)",
            "real cost in base prices (formula)",
            "real cost (csceval)",
        ],
        bold=True,
    )
    for r in result.ledger.to_dict("records"):
        n = ws.max_row + 1
        _row(
            ws,
            [
                r["la_code"],
                r["financial_year"],
                r["category"],
                r["item"],
                r["one_off_or_ongoing"],
                r["kind"],
                r["amount_gbp"],
                r["hours"],
                r["unit_cost_gbp"],
                r["price_year"],
                r["source"],
                f'=IF(F{n}="time",H{n}*I{n},G{n})',
                f"={_lookup(f'J{n}')}",
                f"=L{n}*$Q$2/M{n}",
                r["real_gbp"],
            ],
        )
        for col in "LNO":
            ws[f"{col}{n}"].number_format = MONEY
    last = ws.max_row
    ws["P1"], ws["Q1"] = "base year", result.base_year
    ws["P2"], ws["Q2"] = "base-year deflator (formula)", f"={_lookup('$Q$1')}"
    _row(
        ws,
        ["Total", *[""] * 12, f"=SUM(N2:N{last})", float(result.ledger["real_gbp"].sum())],
        bold=True,
    )
    _row(ws, [])
    _row(ws, ["Category ids"], bold=True)
    for key, title in CATEGORIES.items():
        _row(ws, [key, title])


def _unit_costs(wb: Workbook, result: CostsResult) -> None:
    ws = wb.create_sheet("Unit costs")
    _row(
        ws,
        [
            "activity",
            "unit",
            "cost_gbp (own prices)",
            "price_year",
            "source",
            "se_gbp",
            "cost in base prices (formula)",
            "cost in base prices (csceval)",
        ],
        bold=True,
    )
    for activity, converted in sorted(result.unit_costs.items()):
        original = result.original_unit_costs[activity]
        n = ws.max_row + 1
        _row(
            ws,
            [
                activity,
                original.unit,
                original.cost_gbp,
                original.price_year,
                original.source,
                original.se_gbp,
                f"=C{n}*{_lookup('Ledger!$Q$1')}/{_lookup(f'D{n}')}",
                converted.cost_gbp,
            ],
        )


def _cba(wb: Workbook, result: CostsResult) -> None:
    cba, model, psa = result.cba, result.model, result.psa
    if cba is None or model is None or psa is None:
        return
    ws = wb.create_sheet("CBA")
    _row(ws, ["Optimism bias", model.optimism_bias])
    _row(ws, ["Savings start in year", result.settings.benefits_start_year])
    _row(ws, [])
    _row(
        ws,
        [
            "Savings lines",
            "unit",
            "change a year",
            "se",
            "unit cost (base prices)",
            "annual saving (formula)",
            "annual saving (csceval)",
            "source",
        ],
        bold=True,
    )
    first = ws.max_row + 1
    for line in model.lines:
        n = ws.max_row + 1
        _row(
            ws,
            [
                line.label,
                line.unit,
                line.change.change,
                line.change.se,
                line.unit_cost,
                f"=-C{n}*E{n}",
                line.annual_saving,
                line.change.source,
            ],
        )
    last = ws.max_row
    total = _row(
        ws,
        ["Total annual saving", "", "", "", "", f"=SUM(F{first}:F{last})", cba.annual_saving],
        bold=True,
    )
    _row(ws, [])
    _row(
        ws,
        [
            "year",
            "financial_year",
            "costs before OB (ledger and continuing ongoing costs)",
            "costs with OB (formula)",
            "savings (formula)",
            "discount rate",
            "discount factor (formula)",
            "discount factor (csceval)",
            "discounted net (formula)",
            "cumulative (formula)",
        ],
        bold=True,
    )
    top = ws.max_row + 1
    year_rates = rates(model.horizon, model.schedule)
    start = int(result.financial_years[0][:4])
    for t in range(model.horizon):
        n = ws.max_row + 1
        df = "=1" if t == 0 else f"=G{n - 1}/(1+F{n})"
        cumulative = f"=I{n}" if t == 0 else f"=J{n - 1}+I{n}"
        _row(
            ws,
            [
                t,
                f"{start + t}-{(start + t + 1) % 100:02d}",
                float(model.costs[t]),
                f"=C{n}*(1+$B$1)",
                f"=IF(A{n}>=$B$2,$F${total},0)",
                0.0 if t == 0 else float(year_rates[t]),
                df,
                float(cba.factors[t]),
                f"=(E{n}-D{n})*G{n}",
                cumulative,
            ],
        )
        ws[f"G{n}"].number_format = ws[f"H{n}"].number_format = FACTOR
    bottom = ws.max_row
    _row(ws, [])
    _row(ws, ["Result", "formula", "csceval"], bold=True)
    pvb = _row(
        ws,
        [
            "Present value of savings",
            f"=SUMPRODUCT(E{top}:E{bottom},G{top}:G{bottom})",
            cba.pv_benefits,
        ],
    )
    pvc = _row(
        ws,
        [
            "Present value of costs (with OB)",
            f"=SUMPRODUCT(D{top}:D{bottom},G{top}:G{bottom})",
            cba.pv_costs,
        ],
    )
    _row(ws, ["Net present value", f"=B{pvb}-B{pvc}", cba.npv])
    _row(ws, ["Benefit-cost ratio", f"=B{pvb}/B{pvc}", cba.bcr])
    _row(ws, ["Break-even year", "", cba.break_even_year])
    _row(ws, [])
    _row(
        ws,
        ["Switching values (NPV = 0, one input at a time)", "value used", "switching value"],
        bold=True,
    )
    for sv in cba.switching:
        _row(ws, [sv.input, sv.base, sv.switching])
    _row(ws, [])
    lo, hi = psa.npv_interval()
    _row(ws, ["Monte Carlo (values from csceval)", "value"], bold=True)
    for label, value in (
        ("Draws", psa.draws),
        ("Seed", psa.seed),
        ("Mean NPV", psa.mean_npv),
        ("Monte Carlo standard error of the mean NPV", psa.se_mean_npv),
        ("NPV 2.5th percentile", lo),
        ("NPV 97.5th percentile", hi),
        ("Probability savings exceed costs", psa.prob_benefits_exceed_costs),
    ):
        _row(ws, [label, value])
    ws.column_dimensions["A"].width = 48


def build_costs_workbook(result: CostsResult) -> Workbook:
    wb = Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    _about(wb, result)
    _deflators(wb, result)
    _ledger(wb, result)
    _unit_costs(wb, result)
    _cba(wb, result)
    return wb


def costs_workbook_bytes(result: CostsResult) -> bytes:
    buffer = BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(build_costs_workbook(result), archive).save()
    return _normalise_zip(buffer.getvalue())


def write_costs_workbook(result: CostsResult, path: Path) -> Path:
    """Write the audit workbook aside and rename it into place; returns its path."""
    return write_file(Path(path), costs_workbook_bytes(result))
