"""Exports: formats with labels (.sav/.dta read back with pyreadstat), codebook, disclosure control
for aggregates, purpose and permission for row-level data, de-identification, audit, no-store."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import pytest
from django.core.exceptions import PermissionDenied
from job_helpers import export_download
from returns_helpers import (
    GOOD_COSTS,
    GOOD_INDICATORS,
    OTHER,
    OWN,
    YEAR,
    client_for,
)

from csceval.web.audit_trail.models import AuditEvent
from csceval.web.exports import registry, services
from csceval.web.exports.deidentify import MAX_SHIFT_DAYS
from csceval.web.exports.models import ExportRecord
from csceval.web.exports.registry import Dataset, Level, Variable, VarType
from csceval.web.returns.models import PilotReturn

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("export_files")]
PURPOSE = "Check returns against the DfE published figures"


def _post(client: Any, dataset: str, **data: Any) -> Any:
    return export_download(client, dataset, **data)


def _members(response: Any) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _data(members: dict[str, bytes], ext: str) -> bytes:
    return next(v for k, v in members.items() if k.endswith(f".{ext}"))


def _csv(raw: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def _read_stat(raw: bytes, ext: str) -> tuple[pd.DataFrame, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"x.{ext}"
        path.write_bytes(raw)
        reader = pyreadstat.read_sav if ext == "sav" else pyreadstat.read_dta
        return reader(str(path))


@pytest.mark.parametrize("ext", ["sav", "dta"])
def test_sav_and_dta_read_back_with_labels(approved_returns: dict[str, Any], ext: str) -> None:
    client = client_for(approved_returns["evaluator"])
    response = _post(client, "return_values", file_format=ext, purpose=PURPOSE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    members = _members(response)
    assert {"codebook.csv", "README.txt"} <= set(members)
    frame, meta = _read_stat(_data(members, ext), ext)
    assert meta.file_label == "Pilot return values by LA and year (row-level)"
    labels = meta.column_names_to_labels
    assert labels["indicator"] == "Indicator id (csceval catalogue)"
    assert labels["submitted_on"] == "Date the return was submitted"
    value_labels = meta.variable_value_labels
    status_codes = {int(k): v for k, v in value_labels["status"].items()}
    assert status_codes[4] == "Approved"
    indicator_codes = {int(k): v for k, v in value_labels["indicator"].items()}
    assert indicator_codes[1] == "Referrals"
    assert len(frame) == 3 * len(GOOD_INDICATORS)
    first = frame[frame["indicator"] == 1]
    assert sorted(first["value"].tolist()) == [1200.0, 1201.0, 1202.0]
    assert set(frame["status"]) == {4.0}


def test_csv_and_xlsx_come_with_a_codebook(approved_returns: dict[str, Any]) -> None:
    client = client_for(approved_returns["evaluator"])
    members = _members(_post(client, "return_costs", file_format="csv", purpose=PURPOSE))
    rows = _csv(_data(members, "csv"))
    assert len(rows) == 3 * len(GOOD_COSTS)
    assert rows[0]["description"] == "Practice framework licence"
    assert rows[1]["total"] == "4260.0"  # 120 hours x 35.50
    book = _csv(members["codebook.csv"])
    assert list(book[0]) == ["variable", "label", "type", "unit", "values", "source", "privacy"]
    category = next(r for r in book if r["variable"] == "category")
    assert category["type"] == "category"
    assert "1=practitioner_training" in category["values"]
    assert next(r for r in book if r["variable"] == "amount")["unit"] == "GBP, cash prices"
    readme = members["README.txt"].decode()
    assert PURPOSE in readme
    assert "identifiable row-level" in readme

    members = _members(_post(client, "return_costs", file_format="xlsx", purpose=PURPOSE))
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(_data(members, "xlsx")))
    assert wb.sheetnames == ["Data", "Codebook"]
    assert wb["Data"].max_row == 1 + 3 * len(GOOD_COSTS)


def test_aggregate_export_goes_through_disclosure_control(approved_returns: dict[str, Any]) -> None:
    client = client_for(approved_returns["evaluator"])
    response = _post(client, "return_indicators", file_format="csv")
    assert response.status_code == 200
    rows = _csv(_data(_members(response), "csv"))
    assert [(r["la_code"], r["year"]) for r in rows] == [
        (OWN, str(YEAR - 1)),
        (OWN, str(YEAR)),
        (OTHER, str(YEAR)),
    ]
    assert {r["cla_count_31mar"] for r in rows} == {"c"}  # 3 children: suppressed
    assert rows[1]["referrals_count"] == "1200"
    assert rows[1]["rereferral_within_12m_pct"] == "21.5"
    assert rows[1]["s47_count"] == "x"  # not given
    event = AuditEvent.objects.get(action="export.download")
    assert event.new_values["deidentification"] == "disclosure-controlled aggregate"
    assert event.new_values["la_codes"] == [OWN, OTHER]
    assert event.new_values["rows"] == 3


def test_rowlevel_export_needs_a_purpose(approved_returns: dict[str, Any]) -> None:
    client = client_for(approved_returns["evaluator"])
    response = _post(client, "return_values", file_format="csv", purpose="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say what you need the row-level data for" in html
    assert 'href="#id_purpose"' in html
    with pytest.raises(services.InputError) as caught:
        services.export_dataset(
            actor=approved_returns["evaluator"],
            ds=registry.dataset("return_values"),  # type: ignore[arg-type]
            fmt="csv",
            deidentified=False,
            purpose="",
        )
    assert [p.code for p in caught.value.problems] == ["CSC-E6132"]
    assert not ExportRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="export.download").exists()


def test_exports_need_their_permission(approved_returns: dict[str, Any]) -> None:
    for who in ("coordinator", "viewer"):
        client = client_for(approved_returns[who])
        assert client.get("/exports/").status_code == 403
        assert client.get("/exports/return_values/").status_code == 403
        response = _post(client, "return_values", file_format="csv", purpose=PURPOSE)
        assert response.status_code == 403
        assert _post(client, "return_indicators", file_format="csv").status_code == 403
    with pytest.raises(PermissionDenied):
        services.export_dataset(
            actor=approved_returns["coordinator"],
            ds=registry.dataset("return_values"),  # type: ignore[arg-type]
            fmt="csv",
            deidentified=False,
            purpose=PURPOSE,
        )
    assert not ExportRecord.objects.exists()
    assert client_for(approved_returns["evaluator"]).get("/exports/nope/").status_code == 404


def test_rowlevel_export_is_recorded_and_audited_with_its_purpose(
    approved_returns: dict[str, Any],
) -> None:
    client = client_for(approved_returns["evaluator"])
    response = _post(client, "return_values", file_format="csv", purpose=PURPOSE)
    assert response.status_code == 200
    record = ExportRecord.objects.get()
    assert (record.username, record.purpose, record.level, record.deidentified) == (
        "eval",
        PURPOSE,
        "rowlevel",
        False,
    )
    event = AuditEvent.objects.get(action="export.download")
    assert event.new_values["purpose"] == PURPOSE
    assert event.new_values["dataset"] == "return_values"
    assert event.new_values["deidentification"] == "identifiable row-level"
    assert event.object_id == str(record.pk)


def test_deidentified_export_hides_ids_and_keeps_intervals(
    approved_returns: dict[str, Any],
) -> None:
    client = client_for(approved_returns["evaluator"])
    plain = _csv(
        _data(_members(_post(client, "return_values", file_format="csv", purpose=PURPOSE)), "csv")
    )
    response = _post(client, "return_values", file_format="csv", purpose=PURPOSE, deidentified="on")
    members = _members(response)
    deid = _csv(_data(members, "csv"))
    assert len(deid) == len(plain)
    original_ids = {str(pk) for pk in PilotReturn.objects.values_list("pk", flat=True)}
    assert not original_ids & {r["return_id"] for r in deid}
    assert all(len(r["return_id"]) == 16 for r in deid)
    # Rows of one return keep one hash (linkable within the export) ...
    assert len({r["return_id"] for r in deid}) == len(original_ids)

    def days(row: dict[str, str], name: str) -> datetime:
        return datetime.fromisoformat(row[name])

    for before, after in zip(plain, deid, strict=True):
        interval = days(before, "reviewed_on") - days(before, "submitted_on")
        assert days(after, "reviewed_on") - days(after, "submitted_on") == interval
        shift = abs((days(after, "submitted_on") - days(before, "submitted_on")).days)
        assert shift <= MAX_SHIFT_DAYS
    # ... and one offset per record: the same return's rows are shifted alike.
    by_id: dict[str, set[str]] = {}
    for row in deid:
        by_id.setdefault(row["return_id"], set()).add(row["submitted_on"])
    assert all(len(dates) == 1 for dates in by_id.values())
    shifted = [a["submitted_on"] != b["submitted_on"] for a, b in zip(plain, deid, strict=True)]
    assert any(shifted)
    assert "de-identified" in members["README.txt"].decode()
    assert (
        AuditEvent.objects.filter(action="export.download").last().new_values["deidentification"]
        == "de-identified"
    )

    costs = _csv(
        _data(
            _members(
                _post(client, "return_costs", file_format="csv", purpose=PURPOSE, deidentified="on")
            ),
            "csv",
        )
    )
    assert "description" not in costs[0]
    assert "figure_source" not in costs[0]
    assert "Practice framework licence" not in str(costs)


def test_other_apps_can_register_datasets(approved_returns: dict[str, Any]) -> None:
    ds = Dataset(
        id="test_sites",
        title="Test: sites",
        description="Sites in scope.",
        level=Level.AGGREGATE,
        variables=(Variable("la_code", "LA code", VarType.STRING),),
        build=lambda codes: pd.DataFrame({"la_code": list(codes)}),
    )
    registry.register_dataset(ds)
    try:
        client = client_for(approved_returns["evaluator"])
        assert "Test: sites" in client.get("/exports/").content.decode()
        rows = _csv(_data(_members(_post(client, "test_sites", file_format="csv")), "csv"))
        assert [r["la_code"] for r in rows] == [OWN, OTHER]
    finally:
        registry._DATASETS.pop("test_sites")


def test_an_evaluator_of_one_la_exports_only_that_la(approved_returns: dict[str, Any]) -> None:
    from web_helpers import make_user

    from csceval.web.accounts.models import Role

    scoped = make_user("eval-own", (OWN, Role.EVALUATOR))
    rows = _csv(
        _data(
            _members(
                _post(client_for(scoped), "return_values", file_format="csv", purpose=PURPOSE)
            ),
            "csv",
        )
    )
    assert {r["la_code"] for r in rows} == {OWN}
