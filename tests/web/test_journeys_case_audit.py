"""The case-file audit journey in headless Chromium, checked with axe-core on every page.

An LA coordinator draws a sample (after a list with identifiers is refused); one auditor saves
a partial rating and comes back to complete it; a second auditor rates the same case blind; the
differences are reconciled; an auditor of another LA cannot reach any of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser import Server, Visitor

pytestmark = pytest.mark.browser

KEY = "journey-key-held-by-the-LA-only"


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def _answer_all(page: Any, ordinal: str) -> None:
    """Answer every radio question: ordinal items ``ordinal``, yes/no items yes."""
    names = page.eval_on_selector_all(
        "input[type=radio]", "els => [...new Set(els.map(e => e.name))]"
    )
    for name in names:
        for value in (ordinal, "yes"):
            option = page.locator(f"input[name='{name}'][value='{value}']")
            if option.count():
                option.check()
                break


def _draw_sample(visitor: Visitor, la_code: str, tmp: Path) -> None:
    page = visitor.page
    path = f"/case-audits/{la_code}/draw/"
    visitor.go(path)
    bad = "case_id,stratum,nhs_number\nC1,cla,943 476 5919\nC2,cpp,\n"
    page.set_input_files("#id_file", _write(tmp / "bad.csv", bad))
    page.fill("#id_key", KEY)
    page.check("input[name='time_point'][value='T1']")
    visitor.expected_errors.add(path)
    page.click("button:has-text('Draw the sample')")
    page.wait_for_load_state("load")
    visitor.check()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "nothing was saved" in summary.inner_text()
    assert "943 476 5919" not in page.content()
    assert page.locator("#id_key").input_value() == ""  # the key is never sent back
    rows = "\n".join(f"C{i:04d},{('cla', 'cpp', 'cin_plan')[i % 3]}" for i in range(1, 31))
    page.set_input_files("#id_file", _write(tmp / "cases.csv", f"case_id,stratum\n{rows}\n"))
    page.fill("#id_key", KEY)
    page.check("input[name='time_point'][value='T1']")
    page.fill("#id_n", "6")
    page.fill("#id_second_share", "100")
    page.fill("#id_seed", "5")
    page.click("button:has-text('Draw the sample')")
    page.wait_for_url("**/case-audits/?drawn=1")
    visitor.check()
    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert page.locator("#drawn td", has_text="T1").count() == 1


def test_auditors_rate_second_rate_and_reconcile_a_case(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    la_code = server.pilot[0]
    tasks = f"/case-audits/{la_code}/T1/"

    coordinator = Visitor(browser, server)
    coordinator.sign_in("coordinator")
    _draw_sample(coordinator, la_code, tmp_path)
    coordinator.close()

    first = Visitor(browser, server)
    page = first.page
    first.sign_in("auditor_a")
    first.go(tasks)
    assert page.locator(".govuk-task-list__item").count() == 6
    link = page.locator(".govuk-task-list__item a").first
    case_path = link.get_attribute("href")
    assert case_path
    link.click()
    page.wait_for_load_state("load")
    first.check()
    assert page.locator(".govuk-warning-text", has_text="personal details").count() >= 1
    page.locator("input[type=radio][value='2']").first.check()
    page.click("button:has-text('Save and come back later')")
    page.wait_for_load_state("load")
    first.check()
    assert page.locator(".govuk-notification-banner--success").is_visible()
    assert page.locator("input[type=radio][value='2']").first.is_checked()
    first.expected_errors.add(case_path)  # 400: not every item is answered yet
    page.click("button:has-text('Complete this rating')")
    page.wait_for_load_state("load")
    first.check()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.type") == "radio"
    _answer_all(page, "3")
    page.click("button:has-text('Complete this rating')")
    page.wait_for_url(f"**{tasks}")
    first.check()
    row = page.locator(".govuk-task-list__item", has=page.locator(f"a[href='{case_path}']"))
    assert "In progress" in row.inner_text()  # waiting for the second rating
    first.close()

    second = Visitor(browser, server)
    page = second.page
    second.sign_in("auditor_b")
    second.go(tasks)
    row = page.locator(".govuk-task-list__item", has=page.locator(f"a[href='{case_path}']"))
    assert "blind second rating" in row.inner_text()
    second.go(case_path)
    assert page.locator("text=Blind second rating").count() >= 1
    assert page.locator("input[type=radio]:checked").count() == 0  # the first rating is hidden
    _answer_all(page, "2")
    page.click("button:has-text('Complete this rating')")
    page.wait_for_url(f"**{tasks}")
    second.check()
    row = page.locator(".govuk-task-list__item", has=page.locator("text=Needs reconciliation"))
    row.first.locator("a").click()
    page.wait_for_load_state("load")
    second.check()
    assert page.locator("#disagreements tbody tr").count() > 0
    for name in page.eval_on_selector_all(
        "input[name^='agreed_']", "els => [...new Set(els.map(e => e.name))]"
    ):
        page.locator(f"input[name='{name}'][value='3']").check()
    page.click("button:has-text('Record the agreed answers')")
    page.wait_for_load_state("load")
    second.check()
    assert page.locator("#disagreements td", has_text="Not yet agreed").count() == 0
    second.go(tasks)
    row = page.locator(".govuk-task-list__item", has=page.locator("a[href$='/compare/']"))
    assert "Completed" in row.first.inner_text()
    assert page.evaluate("window.localStorage.length") == 0
    second.close()

    outsider = Visitor(browser, server)
    outsider.sign_in("other_auditor")
    assert outsider.go(tasks, expect_error=True).status == 404
    assert outsider.go(case_path, expect_error=True).status == 404
    assert outsider.go(f"{tasks}sample.csv", expect_error=True).status == 404
    outsider.go("/case-audits/")
    assert outsider.page.locator(f"a[href='{tasks}']").count() == 0
    outsider.close()
