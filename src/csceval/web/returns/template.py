"""The XLSX return template for one site and period (deterministic bytes).

Sheets: Instructions (what to do, and the LA and period the template is for), Key indicators
(one row per indicator: id, title, unit and definition shown; the Value column has Excel data
validation by kind), Costs (blank lines with drop-down lists for category, one-off/ongoing and
cash/time, and decimal validation for amounts) and a hidden Lists sheet the drop-downs read.
The id, title, unit and definition cells are locked (sheet protection without a password, so it
guards against slips, not against intent); the upload reader checks everything again anyway.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from csceval.indicators.catalogue import Indicator
from csceval.web.exports.xlsx import xlsx_bytes
from csceval.web.returns import layout
from csceval.web.returns.models import period_label

_BOLD = Font(bold=True)
_INPUT = PatternFill("solid", fgColor="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _header(ws: Worksheet, headers: tuple[str, ...], widths: tuple[int, ...]) -> None:
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=col, value=text)
        cell.font = _BOLD
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"


def _instructions(ws: Worksheet, la_code: str, la_name: str, year: int) -> None:
    ws["A1"] = "Pilot data return"
    ws["A1"].font = Font(bold=True, size=14)
    rows = [
        ("LA code", la_code),
        ("LA", la_name),
        ("Period", period_label(year)),
        ("Template version", layout.TEMPLATE_VERSION),
    ]
    for offset, (label, value) in enumerate(rows, start=3):
        ws.cell(row=offset, column=1, value=label).font = _BOLD
        ws.cell(row=offset, column=2, value=value)
    lines = [
        "How to fill in this return",
        f"1. '{layout.INDICATORS_SHEET}': type each value in the yellow Value column for the year "
        f"ending 31 March {year}. Leave a cell blank if you do not have the figure; do not "
        "type 0 for 'not known'.",
        "2. Counts are whole numbers; rates and ratios are numbers of 0 or more; percentages are "
        "from 0 to 100 (type 45.5 for 45.5%).",
        f"3. '{layout.COSTS_SHEET}': one line per cost in the year. Choose a category, one-off or "
        "ongoing, and cash or time from the lists. For cash give the amount in pounds; for staff "
        "time give the hours and the cost per hour. Say where each figure comes from.",
        "4. Do not add, remove, rename or reorder sheets, columns or indicator rows, and do not "
        "change the LA code or period above.",
        "5. Upload the file on the return's page. Every problem is listed at once, with its sheet "
        "and cell; nothing is kept from a file with problems. Fix them and upload again.",
        "6. A new upload replaces all the values of the previous one. When the values are right, "
        "check and submit the return for review.",
        "Do not enter any information about individual children or staff in this workbook.",
    ]
    for offset, text in enumerate(lines, start=8):
        cell = ws.cell(row=offset, column=1, value=text)
        cell.alignment = Alignment(wrap_text=False)
    ws["A8"].font = _BOLD
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 40


def _value_validation(indicator: Indicator) -> DataValidation:
    if layout.is_whole(indicator):
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    elif (top := layout.upper_bound(indicator)) is not None:
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=str(top))
    else:
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorTitle = "Value not allowed"
    dv.error = f"Enter {layout.rule_text(indicator)}, or leave the cell blank."
    dv.showInputMessage = True
    dv.promptTitle = indicator.title[:32]
    dv.prompt = f"Enter {layout.rule_text(indicator)}."
    return dv


def _indicators(ws: Worksheet) -> None:
    _header(ws, layout.INDICATOR_HEADERS, (32, 40, 28, 70, 14))
    groups: dict[str, DataValidation] = {}
    for row, indicator in enumerate(layout.return_indicators(), start=2):
        ws.cell(row=row, column=1, value=indicator.id)
        ws.cell(row=row, column=2, value=indicator.title)
        ws.cell(row=row, column=3, value=indicator.unit_label)
        ws.cell(row=row, column=4, value=indicator.definition).alignment = _WRAP
        value = ws.cell(row=row, column=5)
        value.fill = _INPUT
        value.protection = Protection(locked=False)
        value.number_format = "0" if layout.is_whole(indicator) else "0.0###"
        key = layout.rule_text(indicator)
        if key not in groups:
            groups[key] = _value_validation(indicator)
            ws.add_data_validation(groups[key])
        groups[key].add(f"{layout.INDICATOR_VALUE_COLUMN}{row}")
    ws.protection.sheet = True


def _lists(ws: Worksheet) -> dict[str, str]:
    columns = {
        "category": [c.label for c in layout.COST_CATEGORIES],
        "recurrence": list(layout.RECURRENCE_LABELS.values()),
        "kind": list(layout.KIND_LABELS.values()),
    }
    refs = {}
    for col, (name, values) in enumerate(columns.items(), start=1):
        ws.cell(row=1, column=col, value=name).font = _BOLD
        for row, text in enumerate(values, start=2):
            ws.cell(row=row, column=col, value=text)
        letter = ws.cell(row=1, column=col).column_letter
        refs[name] = f"'{layout.LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return refs


def _costs(ws: Worksheet, refs: dict[str, str]) -> None:
    _header(ws, layout.COST_HEADERS, (42, 40, 18, 14, 14, 10, 18, 40))
    last = layout.COST_ROWS + 1
    for column, key, title in (
        ("A", "category", "Category"),
        ("C", "recurrence", "One-off or ongoing"),
        ("D", "kind", "Cash or time"),
    ):
        dv = DataValidation(type="list", formula1=refs[key], allow_blank=True)
        dv.showErrorMessage = True
        dv.errorTitle = f"{title} not allowed"
        dv.error = "Choose a value from the list."
        dv.add(f"{column}2:{column}{last}")
        ws.add_data_validation(dv)
    money = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    money.allow_blank = True
    money.showErrorMessage = True
    money.errorTitle = "Value not allowed"
    money.error = "Enter a number, 0 or more, or leave the cell blank."
    money.add(f"E2:G{last}")
    ws.add_data_validation(money)
    for row in range(2, last + 1):
        for col in range(1, len(layout.COST_HEADERS) + 1):
            ws.cell(row=row, column=col).fill = _INPUT


def build_template(*, la_code: str, la_name: str, year: int) -> bytes:
    """The template's XLSX bytes; the same site and period always give the same bytes."""
    wb = Workbook()
    instructions = wb.active
    assert instructions is not None
    instructions.title = layout.INSTRUCTIONS_SHEET
    _instructions(instructions, la_code, la_name, year)
    _indicators(wb.create_sheet(layout.INDICATORS_SHEET))
    costs = wb.create_sheet(layout.COSTS_SHEET)
    refs = _lists(wb.create_sheet(layout.LISTS_SHEET))
    _costs(costs, refs)
    return xlsx_bytes(wb)
