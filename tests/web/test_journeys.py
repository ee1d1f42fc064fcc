"""Journeys in headless Debian Chromium against a real server process, checked with axe-core.

Marked ``browser``; they run in ``make test`` on SQLite and again on PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from browser import Server, Visitor

pytestmark = pytest.mark.browser


def test_evaluator_signs_in_with_two_factor_and_runs_the_analysis(
    browser,
    server: Server,
) -> None:
    visitor = Visitor(browser, server)
    page = visitor.page
    visitor.sign_in("evaluator")
    assert page.url.rstrip("/") == server.url
    visitor.go("/sites/")
    assert page.locator(f"text={server.pilot[1]}").count() == 1
    visitor.go("/analysis/")
    page.click("button:has-text('Run analysis')")
    page.wait_for_url(re.compile(r"/analysis/\d+/$"))
    visitor.check()
    page.wait_for_selector("text=Read the report", timeout=120_000)
    visitor.check()
    page.click("text=Read the report")
    page.wait_for_load_state("load")
    assert "report/index.html" in page.url  # the summary page: small, so axe is quick
    assert page.locator("dl.answers dd").count() >= 1
    assert page.locator("#not-evaluated").count() == 1
    visitor.check()
    page.click("nav >> text=Impact on key indicators")
    page.wait_for_load_state("load")
    assert page.url.endswith("report/impact.html")
    assert page.locator("svg").count() > 0
    visitor.go("/audit/")
    assert page.locator("td:has-text('analysis.run')").count() >= 1
    visitor.close()


def test_setup_form_errors_are_summarised_and_linked(browser, server: Server) -> None:
    visitor = Visitor(browser, server)
    page = visitor.page
    visitor.sign_in("admin")
    visitor.go("/sites/new/")
    page.fill("#id_la_code", "12")
    page.click("button:has-text('Save')")
    page.wait_for_load_state("load")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    summary.locator("a[href='#id_la_code']").click()
    assert page.evaluate("document.activeElement.id") == "id_la_code"
    visitor.check()
    visitor.close()


def test_a_coordinator_cannot_reach_another_las_site(browser, server: Server) -> None:
    visitor = Visitor(browser, server)
    visitor.sign_in("coordinator")
    assert visitor.go(f"/sites/{server.pilot[0]}/").status == 200
    assert visitor.go(f"/sites/{server.other[0]}/", expect_error=True).status == 404
    visitor.go("/sites/")
    assert visitor.page.locator(f"text={server.other[1]}").count() == 0
    visitor.close()


def test_self_profile_is_completed_reviewed_and_reaches_the_progress_map(
    browser, server: Server
) -> None:
    """Issue 7: a coordinator completes T1, an evaluator accepts it, the next report shows it."""
    la_code, name = server.pilot
    coordinator = Visitor(browser, server)
    page = coordinator.page
    coordinator.sign_in("coordinator")
    coordinator.go("/self-profiles/")
    page.click(f"a[href='/self-profiles/{la_code}/T1/']")
    page.wait_for_load_state("load")
    coordinator.check()
    ratings = page.locator("input[name^='rating_']")
    ratings.first.fill("10")
    page.click("button:has-text('Save and come back later')")
    page.wait_for_load_state("load")
    assert ratings.first.input_value() == "10"
    coordinator.expected_errors.add(f"/self-profiles/{la_code}/T1/")  # 400: ratings missing
    page.click("button:has-text('Submit for review')")
    page.wait_for_load_state("load")
    coordinator.check()
    assert page.locator(".govuk-error-summary").is_visible()  # the other ratings are missing
    for i in range(ratings.count()):
        ratings.nth(i).fill("10")
    page.click("button:has-text('Submit for review')")
    page.wait_for_url("**/self-profiles/")
    coordinator.check()
    coordinator.close()

    outsider = Visitor(browser, server)
    outsider.sign_in("other_coordinator")
    path = f"/self-profiles/{la_code}/T1/"
    assert outsider.go(path, expect_error=True).status == 404
    outsider.close()

    evaluator = Visitor(browser, server)
    page = evaluator.page
    evaluator.sign_in("evaluator")
    evaluator.go(path)
    page.click("button:has-text('Accept for analysis')")
    page.wait_for_load_state("load")
    assert page.locator("text=Reviewed").count() >= 1
    evaluator.go("/analysis/")
    page.click("button:has-text('Run analysis')")
    page.wait_for_selector("text=Read the report", timeout=180_000)
    page.click("text=Read the report")
    page.wait_for_load_state("load")
    page.click("nav >> text=Theory of change and implementation")
    page.wait_for_load_state("load")
    table = page.locator("table", has=page.locator("caption", has_text="T1")).first
    row = table.locator("tr", has_text=name)
    cells = row.locator("td").all_text_contents()  # the map's data table is behind <details>
    assert cells, f"{name} is not in the T1 progress map"
    assert all(text.strip() == "10" for text in cells if text.strip()), cells
    evaluator.close()
