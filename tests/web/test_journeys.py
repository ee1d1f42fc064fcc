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
    assert "report/index.html" in page.url
    assert page.locator("svg").count() > 0
    visitor.check()
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
