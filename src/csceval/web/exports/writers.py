"""File formats of an export: CSV, XLSX, SPSS .sav and Stata .dta, and the codebook.

Choices:

- CSV is UTF-8 with a byte-order mark (Excel opens it correctly), dates as YYYY-MM-DD.
- In .sav and .dta, CATEGORY variables are integer codes 1..k with value labels (Stata has no
  labelled strings); numbers are doubles; disclosure symbols (``c``, ``k``, ``x``, ``z``) in a
  numeric column become system-missing there, so the CSV/XLSX keep the symbols and the codebook
  says so. Stata labels are cut to 80 characters (its limit).
- Codebook columns: variable, label, type, unit, values, source (and privacy class).
- Every CSV and XLSX cell passes :func:`csceval.web.exports.safe_cells.safe_cell` (formula
  injection), the codebook's included; .sav/.dta are not spreadsheets and keep the text as is.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
from openpyxl import Workbook
from openpyxl.styles import Font

from csceval.web.exports.registry import Variable, VarType
from csceval.web.exports.safe_cells import safe_cell
from csceval.web.exports.xlsx import xlsx_bytes

FORMATS = {
    "csv": ("CSV (comma-separated values)", "text/csv"),
    "xlsx": (
        "Excel workbook (.xlsx)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "sav": ("SPSS (.sav)", "application/x-spss-sav"),
    "dta": ("Stata (.dta)", "application/x-stata-dta"),
}
STATA_LABEL_MAX = 80
CODEBOOK_COLUMNS = ("variable", "label", "type", "unit", "values", "source", "privacy")


def _cell(value: Any) -> Any:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return safe_cell(value)


def codebook_rows(variables: Sequence[Variable], notes: dict[str, str]) -> list[list[str]]:
    rows = []
    for v in variables:
        if v.type is VarType.CATEGORY:
            values = "; ".join(f"{i}={value}" for i, (value, _) in enumerate(v.values, start=1))
            labels = "; ".join(f"{value} = {label}" for value, label in v.values if value != label)
            values += f" ({labels})" if labels else ""
        else:
            values = "; ".join(f"{value}: {label}" for value, label in v.values)
        extra = notes.get(v.name, "")
        row = [
            v.name,
            v.label,
            v.type.value,
            v.unit,
            " ".join(x for x in (values, extra) if x),
            v.source,
            v.privacy.value,
        ]
        rows.append([safe_cell(x) for x in row])
    return rows


def codebook_csv(variables: Sequence[Variable], notes: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CODEBOOK_COLUMNS)
    writer.writerows(codebook_rows(variables, notes))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_csv(frame: pd.DataFrame, variables: Sequence[Variable]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(v.name) for v in variables])
    for row in frame[[v.name for v in variables]].itertuples(index=False):
        writer.writerow([_cell(x) for x in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(
    frame: pd.DataFrame, variables: Sequence[Variable], title: str, notes: dict[str, str]
) -> bytes:
    wb = Workbook()
    data = wb.active
    assert data is not None
    data.title = "Data"
    data.append([safe_cell(v.name) for v in variables])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for row in frame[[v.name for v in variables]].itertuples(index=False):
        data.append([_cell(x) for x in row])
    data.freeze_panes = "A2"
    book = wb.create_sheet("Codebook")
    book.append(list(CODEBOOK_COLUMNS))
    for cell in book[1]:
        cell.font = Font(bold=True)
    for r in codebook_rows(variables, notes):
        book.append(r)
    wb.properties.title = title[:200]
    return xlsx_bytes(wb)


def _stat_frame(
    frame: pd.DataFrame, variables: Sequence[Variable]
) -> tuple[pd.DataFrame, dict[str, dict[int | float, str]]]:
    """Columns converted for SPSS/Stata, and the value labels of CATEGORY variables."""
    columns: dict[str, Any] = {}
    labels: dict[str, dict[int | float, str]] = {}
    for v in variables:
        col = frame[v.name]
        if v.type is VarType.CATEGORY:
            codes = {value: i for i, (value, _) in enumerate(v.values, start=1)}
            columns[v.name] = pd.Series(
                [codes.get(x) if isinstance(x, str) else None for x in col], dtype="float64"
            )
            labels[v.name] = {
                float(i): label[:STATA_LABEL_MAX] for i, (_, label) in enumerate(v.values, start=1)
            }
        elif v.type in (VarType.NUMBER, VarType.INTEGER):
            columns[v.name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif v.type is VarType.DATE:
            columns[v.name] = pd.to_datetime(col, errors="coerce")
        else:
            columns[v.name] = pd.Series(["" if _cell(x) == "" else str(x) for x in col])
    return pd.DataFrame(columns), labels


def _via_file(suffix: str, write: Any) -> bytes:
    with tempfile.TemporaryDirectory(prefix="csceval-export-") as tmp:
        path = Path(tmp) / f"export{suffix}"
        write(path)
        return path.read_bytes()


def to_sav(frame: pd.DataFrame, variables: Sequence[Variable], title: str) -> bytes:
    data, labels = _stat_frame(frame, variables)
    measure = {
        v.name: "nominal" if v.type in (VarType.CATEGORY, VarType.STRING) else "scale"
        for v in variables
    }
    return _via_file(
        ".sav",
        lambda path: pyreadstat.write_sav(
            data,
            path,
            file_label=title,
            column_labels={v.name: v.label for v in variables},
            variable_value_labels=labels,
            variable_measure=measure,
        ),
    )


def to_dta(frame: pd.DataFrame, variables: Sequence[Variable], title: str) -> bytes:
    data, labels = _stat_frame(frame, variables)
    return _via_file(
        ".dta",
        lambda path: pyreadstat.write_dta(
            data,
            path,
            file_label=title[:STATA_LABEL_MAX],
            column_labels={v.name: v.label[:STATA_LABEL_MAX] for v in variables},
            variable_value_labels=labels,
        ),
    )


def write(
    fmt: str,
    frame: pd.DataFrame,
    variables: Sequence[Variable],
    title: str,
    notes: dict[str, str],
) -> bytes:
    if fmt == "csv":
        return to_csv(frame, variables)
    if fmt == "xlsx":
        return to_xlsx(frame, variables, title, notes)
    if fmt == "sav":
        return to_sav(frame, variables, title)
    if fmt == "dta":
        return to_dta(frame, variables, title)
    raise ValueError(f"unknown export format {fmt!r}")
