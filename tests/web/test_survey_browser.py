"""The culture survey in headless Chromium: an evaluator makes a team's link; a respondent on a
320 px wide screen answers the whole survey by keyboard only (axe on each page type, nothing
wider than the screen); the evaluator closes the link, and the link's page says so."""

from __future__ import annotations

from typing import Any

import pytest
from browser import Server, Visitor, fits, tab_to

pytestmark = pytest.mark.browser


def _press_enter_on(page: Any, selector: str) -> None:
    """Tab to ``selector`` and press Enter; wait for the next page."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")


def _make_link(evaluator: Visitor, la_code: str) -> str:
    page = evaluator.page
    evaluator.go(f"/culture-survey/{la_code}/")
    page.fill("#team", "T07")
    page.select_option("#time_point", index=0)
    page.fill("#invited", "12")
    page.click("button:has-text('Add team')")
    page.wait_for_load_state("load")
    evaluator.check()
    page.click("button[aria-label='Make link for team T07']")
    page.wait_for_load_state("load")
    evaluator.check()
    address: str = page.input_value("#link-address")
    return address


def test_a_respondent_answers_by_keyboard_on_a_phone(browser: Any, server: Server) -> None:
    la_code = server.pilot[0]
    evaluator = Visitor(browser, server)
    evaluator.sign_in("survey_evaluator")
    address = _make_link(evaluator, la_code)
    short = address.removeprefix(server.url)

    phone = Visitor(browser, server)
    page = phone.page
    page.set_viewport_size({"width": 320, "height": 640})
    phone.go(short)
    assert "/culture-survey/respond/" in page.url
    fits(page)
    phone.check()
    _press_enter_on(page, "button.govuk-button--start")
    seen: set[str] = set()
    answered = 0
    while "/q/" in page.url:
        kind = "radio" if page.locator("input[type=radio]").count() else "text"
        if kind == "radio":
            tab_to(page, "input[type=radio]")
            page.keyboard.press("Space")
            for _ in range(3):  # down to the 4th answer, "Agree"
                page.keyboard.press("ArrowDown")
        else:
            tab_to(page, "#answer")
            page.keyboard.type("Supervision is good here.")
        if kind not in seen:
            phone.check()
            fits(page)
            seen.add(kind)
        _press_enter_on(page, "button[name=next]")
        answered += 1
    assert answered == 17, f"{answered} answered; now at {page.url}"
    assert page.url.endswith("/check/")
    phone.check()
    fits(page)
    assert page.locator(".govuk-summary-list__row").count() == 17
    _press_enter_on(page, "form button.govuk-button")
    assert page.url.endswith("/done/")
    phone.check()
    fits(page)
    assert page.locator(".govuk-panel__title").inner_text() == "Answers sent"
    cookies = {c["name"] for c in phone.context.cookies()}
    assert cookies <= {"csrftoken"}, cookies

    evaluator.go(f"/culture-survey/{la_code}/")
    evaluator.page.click("button[aria-label='Close link for team T07']")
    evaluator.page.wait_for_load_state("load")
    evaluator.close()

    phone.go(short, expect_error=True)
    assert page.locator("h1").inner_text() == "This link has closed"
    fits(page)
    phone.close()
    token = short.strip("/").rsplit("/", 1)[-1]
    assert token not in (server.data / "server.log").read_text(), "the token reached the log"
