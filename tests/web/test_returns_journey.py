"""The pilot-return journey in headless Chromium against a real server, every page run by axe:
a coordinator starts a return, downloads the template, uploads one with errors, sees the error
summary, fixes and submits; an evaluator approves it, exports the values and downloads them once
the server's worker made them."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from browser import Server, Visitor
from openpyxl import load_workbook

pytestmark = pytest.mark.browser


def _fill(template: Path, target: Path, values: dict[str, object]) -> Path:
    wb = load_workbook(template)
    ws = wb["Key indicators"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    for ident, value in values.items():
        ws.cell(row=rows[ident], column=5, value=value)
    costs = wb["Costs"]
    line = ("Licences", "Licence", "One-off", "Cash", 9000, None, None, "Invoice")
    for col, value in enumerate(line, start=1):
        costs.cell(row=2, column=col, value=value)
    wb.save(target)
    return target


def test_coordinator_returns_evaluator_approves_and_exports(
    browser, server: Server, tmp_path: Path
) -> None:
    coordinator = Visitor(browser, server)
    page = coordinator.page
    coordinator.sign_in("coordinator")
    coordinator.go("/returns/")
    page.click(f"text={server.pilot[1]}")
    page.wait_for_load_state("load")
    coordinator.check()
    page.select_option("#id_year", index=1)
    page.click("button:has-text('Start or open the return')")
    page.wait_for_url(re.compile(r"/returns/\d+/$"))
    coordinator.check()
    detail = page.url
    pk = detail.rstrip("/").rsplit("/", 1)[1]

    with page.expect_download() as download:
        page.click("text=Download the return template")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    coordinator.expected_errors.add(f"/returns/{pk}/upload/")
    coordinator.go(f"/returns/{pk}/upload/")
    bad = _fill(template, tmp_path / "bad.xlsx", {"referrals_count": -5, "repeat_cpp_pct": 120})
    page.set_input_files("#id_file", str(bad))
    page.click("button:has-text('Upload')")
    page.wait_for_load_state("load")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert summary.locator("li").count() == 2
    assert page.locator("#problems td:has-text('CSC-E6108')").count() == 2
    coordinator.check()

    good = _fill(template, tmp_path / "good.xlsx", {"referrals_count": 850, "repeat_cpp_pct": 20})
    page.set_input_files("#id_file", str(good))
    page.click("button:has-text('Upload')")
    page.wait_for_url(f"{detail}?uploaded=1")
    assert page.locator(".govuk-notification-banner--success").count() == 1
    coordinator.check()
    page.click("text=Check and submit")
    page.wait_for_load_state("load")
    coordinator.check()
    page.click("button:has-text('Submit the return')")
    page.wait_for_url(detail)
    assert page.locator(".govuk-tag:has-text('Submitted')").count() >= 1
    coordinator.go(f"/returns/{pk}/indicators/")
    coordinator.go(f"/returns/{pk}/costs/")
    coordinator.close()

    evaluator = Visitor(browser, server)
    page = evaluator.page
    evaluator.sign_in("returns_evaluator")
    evaluator.go(f"/returns/{pk}/")
    page.click("text=Review this return")
    page.wait_for_load_state("load")
    evaluator.check()
    page.check("#id_decision")
    page.fill("#id_comment", "Checked against last year's figures")
    page.click("button:has-text('Save the decision')")
    page.wait_for_url(re.compile(rf"/returns/{pk}/$"))
    assert page.locator(".govuk-tag:has-text('Approved')").count() >= 1
    evaluator.check()

    evaluator.go("/exports/")
    page.click("text=Pilot return values by LA and year (row-level)")
    page.wait_for_load_state("load")
    evaluator.check()
    page.check("input[name='file_format'][value='csv']")
    page.fill("#id_purpose", "Compare the pilot's referrals with DfE's figures")
    page.click("button:has-text('Export')")
    page.wait_for_url(re.compile(r"/exports/jobs/\d+/$"))  # the server's worker makes it
    link = page.locator("text=Download the export (zip)")
    link.wait_for(timeout=180_000)  # the page polls its progress; generous on a loaded machine
    evaluator.check()
    with page.expect_download() as download:
        link.click()
    bundle = tmp_path / "export.zip"
    download.value.save_as(bundle)
    with zipfile.ZipFile(bundle) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".csv") and "codebook" not in n)
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert {(r["indicator"], r["value"]) for r in rows} >= {("referrals_count", "850.0")}
    evaluator.close()
