"""What reading an uploaded return gives, and reading its cells: text, numbers, column headings.

Every problem is recorded on the :class:`_Reader` with its sheet, cell and value (shown to at
most 80 characters), so the LA sees everything wrong at once. A number must be finite, 0 or more
and at most the template's ceiling; a blank cell is no value, not zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from csceval.errors import Problem
from csceval.web.returns import layout


@dataclass(frozen=True)
class CostData:
    row: int
    category: str
    description: str
    recurrence: str
    kind: str
    amount: Decimal | None
    hours: Decimal | None
    cost_per_hour: Decimal | None
    source: str


@dataclass
class ParsedReturn:
    indicators: dict[str, Decimal] = field(default_factory=dict)
    costs: list[CostData] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.out = ParsedReturn()

    def problem(
        self, code: str, message: str, *, sheet: str = "", cell: str = "", value: Any = ""
    ) -> None:
        shown = "" if value is None else str(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        self.out.problems.append(
            Problem(
                code=code,
                message=message,
                file=self.filename,
                sheet=sheet,
                cell=cell,
                value=shown,
            )
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(reader: _Reader, value: Any, *, sheet: str, cell: str, label: str) -> Decimal | None:
    """A non-negative decimal, None for a blank cell; problems reported on ``reader``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        reader.problem(
            "CSC-E6107", f"{label} must be a number", sheet=sheet, cell=cell, value=value
        )
        return None
    if number < 0:
        reader.problem(
            "CSC-E6108", f"{label} must be 0 or more", sheet=sheet, cell=cell, value=value
        )
        return None
    if number > layout.MAX_VALUE:
        reader.problem(
            "CSC-E6108", f"{label} is too large to be right", sheet=sheet, cell=cell, value=value
        )
        return None
    return number


def _headers_ok(reader: _Reader, ws: Any, sheet: str, headers: tuple[str, ...]) -> bool:
    row = next(ws.iter_rows(min_row=1, max_row=1, max_col=len(headers), values_only=True), ())
    found = [_text(v) for v in row] + [""] * (len(headers) - len(row))
    ok = True
    for col, (want, got) in enumerate(zip(headers, found, strict=False), start=1):
        if want != got:
            letter = chr(ord("A") + col - 1)
            reader.problem(
                "CSC-E6104",
                f"The column heading should be '{want}': use the template without moving or "
                "renaming columns",
                sheet=sheet,
                cell=f"{letter}1",
                value=got,
            )
            ok = False
    return ok
