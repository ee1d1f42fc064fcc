"""National scoping in headless Chromium, checked with axe-core on each page type: an evaluator
reads the register and the map, makes an LA's survey link; the LA answers the survey by keyboard
only (an error first, then the answer and the confirmation); the evaluator reviews the answer
into the register and sees it in the LA's history."""

from __future__ import annotations

from typing import Any

import pytest
from browser import Server, Visitor

pytestmark = pytest.mark.browser


def _tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def _submit(page: Any, selector: str) -> None:
    _tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")


def test_scoping_survey_by_keyboard_and_review(browser: Any, server: Server) -> None:
    evaluator = Visitor(browser, server)
    page = evaluator.page
    evaluator.sign_in("scoping_evaluator")
    evaluator.go("/scoping/map/")
    assert page.locator("#map svg[role='img'] title").count() >= 100  # a title per hex
    assert page.locator("#map-data tbody tr").count() == page.locator("#map svg g[data-la]").count()
    # An LA with no framework recorded: the survey's answer will be its first episode.
    row = page.locator("#map-data tbody tr:has(td:text-is('None recorded'))").first
    la_code = str(row.get_attribute("data-la"))
    la_name = row.locator("th").inner_text()
    evaluator.go(f"/scoping/las/{la_code}/")
    page.click(f"button:has-text('Make a survey link for {la_name}')")
    page.wait_for_load_state("load")
    evaluator.check()
    address = page.input_value("#survey-link")
    assert "/r/" in address

    respondent = Visitor(browser, server)
    answer = respondent.page
    respondent.go(address.removeprefix(server.url))
    assert la_name in answer.locator("h1 + p, .govuk-caption-l").first.inner_text()
    # Sending nothing: the error summary takes focus and links to the first question.
    respondent.expected_errors.add(answer.url.removeprefix(server.url))
    _submit(answer, "button.govuk-button")
    assert answer.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    respondent.check()
    # Answer by keyboard only: Tab to each control, Space to tick, arrows within radios.
    _tab_to(answer, "input[name='frameworks'][value='Family Safeguarding']")
    answer.keyboard.press("Space")
    _tab_to(answer, "input[name='extent']")
    answer.keyboard.press("Space")  # the first choice: the whole service
    _tab_to(answer, "#id_since")
    answer.keyboard.type("2019")
    _tab_to(answer, "input[name='training']")
    answer.keyboard.press("Space")
    _tab_to(answer, "input[name='licensing']")
    answer.keyboard.press("Space")
    _tab_to(answer, "input[name='respondent_role']")
    answer.keyboard.press("ArrowDown")  # to the second role
    _submit(answer, "button.govuk-button")
    assert "?sent=1" in answer.url
    assert answer.locator(".govuk-panel__title").inner_text() == "Answer sent"
    assert "Family Safeguarding" in answer.locator(".govuk-summary-list").inner_text()
    respondent.check()
    respondent.close()

    page.goto(f"{server.url}/scoping/las/{la_code}/")
    page.locator("#la-responses a", has_text="W-").click()
    page.wait_for_load_state("load")
    evaluator.check()
    page.check("#id_decision")  # accept into the register
    page.click("button:has-text('Record the decision')")
    page.wait_for_load_state("load")
    assert f"{la_code}: Family Safeguarding" in page.locator("#register-changes").inner_text()
    page.goto(f"{server.url}/scoping/las/{la_code}/")  # a page type axe has checked above
    assert page.locator("#current th", has_text="Family Safeguarding").count() == 1
    assert page.locator("#history td", has_text="accepted").count() >= 1
    evaluator.close()
