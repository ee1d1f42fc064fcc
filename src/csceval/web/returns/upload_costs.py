"""Reading the Costs sheet of an uploaded return: one cost line per row, checked as a whole.

Category, one-off or ongoing, and cash or time are chosen from the template's lists (by key or
label, any case). A cash cost has an amount only; a staff-time cost has hours and a cost per hour
only; each says what it was and where the figure comes from. A row with any problem adds no cost.
"""

from __future__ import annotations

from typing import Any

from csceval.web.returns import layout
from csceval.web.returns.upload_cells import CostData, _headers_ok, _number, _Reader, _text


def _choice(
    reader: _Reader, value: Any, options: dict[str, str], *, code: str, cell: str, label: str
) -> str | None:
    text = _text(value)
    for key, shown in options.items():
        if text.casefold() in (key.casefold(), shown.casefold()):
            return key
    if text:
        reader.problem(
            code,
            f"{label} must be one of: {', '.join(options.values())}",
            sheet=layout.COSTS_SHEET,
            cell=cell,
            value=text,
        )
    else:
        reader.problem(
            code, f"Choose the {label.lower()}", sheet=layout.COSTS_SHEET, cell=cell, value=""
        )
    return None


def _costs(reader: _Reader, ws: Any) -> None:
    sheet = layout.COSTS_SHEET
    if not _headers_ok(reader, ws, sheet, layout.COST_HEADERS):
        return
    last = layout.COST_ROWS + 1
    categories = {c.id: c.label for c in layout.COST_CATEGORIES}
    width = len(layout.COST_HEADERS)
    for r, row in enumerate(
        ws.iter_rows(min_row=2, max_row=last + 1, max_col=width, values_only=True), start=2
    ):
        cells = list(row) + [None] * (width - len(row))
        if all(_text(v) == "" for v in cells):
            continue
        if r > last:
            reader.problem(
                "CSC-E6111",
                f"Costs go beyond the template's {layout.COST_ROWS} lines; combine small items",
                sheet=sheet,
                cell=f"A{r}",
                value=_text(cells[0]),
            )
            break
        before = len(reader.out.problems)
        category = _choice(
            reader, cells[0], categories, code="CSC-E6112", cell=f"A{r}", label="Category"
        )
        recurrence = _choice(
            reader,
            cells[2],
            layout.RECURRENCE_LABELS,
            code="CSC-E6113",
            cell=f"C{r}",
            label="One-off or ongoing",
        )
        kind = _choice(
            reader,
            cells[3],
            layout.KIND_LABELS,
            code="CSC-E6114",
            cell=f"D{r}",
            label="Cash or time",
        )
        amount = _number(reader, cells[4], sheet=sheet, cell=f"E{r}", label="Amount")
        hours = _number(reader, cells[5], sheet=sheet, cell=f"F{r}", label="Hours")
        rate = _number(reader, cells[6], sheet=sheet, cell=f"G{r}", label="Cost per hour")
        description, source = _text(cells[1]), _text(cells[7])
        for text, letter, what in (
            (description, "B", "what the cost was"),
            (source, "H", "where the figure comes from"),
        ):
            if not text:
                reader.problem(
                    "CSC-E6116", f"Say {what}", sheet=sheet, cell=f"{letter}{r}", value=text
                )
            elif len(text) > 500:
                reader.problem(
                    "CSC-E6116",
                    "Keep this text under 500 characters",
                    sheet=sheet,
                    cell=f"{letter}{r}",
                    value=text,
                )
        if kind == "cash" and amount is None and cells[4] is None:
            reader.problem(
                "CSC-E6115", "A cash cost needs the amount in pounds", sheet=sheet, cell=f"E{r}"
            )
        if kind == "time":
            for value, parsed, letter, what in (
                (cells[5], hours, "F", "the hours"),
                (cells[6], rate, "G", "the cost per hour"),
            ):
                if parsed is None and value is None:
                    reader.problem(
                        "CSC-E6115",
                        f"A staff-time cost needs {what}",
                        sheet=sheet,
                        cell=f"{letter}{r}",
                    )
        if kind == "cash" and (hours is not None or rate is not None):
            reader.problem(
                "CSC-E6115",
                "A cash cost has an amount only: clear Hours and Cost per hour, or choose Time",
                sheet=sheet,
                cell=f"F{r}",
            )
        if kind == "time" and amount is not None:
            reader.problem(
                "CSC-E6115",
                "A staff-time cost has hours and a cost per hour: clear Amount, or choose Cash",
                sheet=sheet,
                cell=f"E{r}",
                value=cells[4],
            )
        if len(reader.out.problems) == before:
            assert category
            assert recurrence
            assert kind
            reader.out.costs.append(
                CostData(r, category, description, recurrence, kind, amount, hours, rate, source)
            )
