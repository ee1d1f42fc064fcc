"""The family-goals journeys in headless Chromium, by keyboard only, axe on every page type.

A social worker (auditor role of the pilot LA) adds a family, sets the worker's and the
parent's goals with their five-level scales (after a refused empty form), rates the goals at
review, enters the parent's paper form and reviews the goal match; the T-scores appear. The
worker makes a parent's link; the parent, with no account, on a 320 px wide screen and with
the keyboard only (Tab and arrow keys), rates the goals through it (after a refused empty form),
never scrolling sideways, and the link then answers 410.
Another LA's families answering 404 is checked with the Django test client
(test_family_goals_pages.py).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import Server, Visitor, fits, tab_to

pytestmark = pytest.mark.browser


def key(page: Any, selector: str, press: str = "Enter") -> None:
    """Focus an element and press a key on it, as a keyboard user does."""
    page.locator(selector).first.focus()
    page.keyboard.press(press)


def type_into(page: Any, selector: str, text: str) -> None:
    page.locator(selector).focus()
    page.keyboard.type(text)


def page_type(visitor: Visitor) -> tuple[str, bool]:
    """The kind of page shown (its address without ids or tokens) and whether it shows errors."""
    path = urlsplit(visitor.page.url).path
    path = re.sub(r"/rate/[a-z]+/\d/", "/rate/", re.sub(r"/[A-Za-z0-9_-]{43}/", "/T/", path))
    path = re.sub(r"/(\d+|G\d+)/", "/N/", path)
    return path, visitor.page.locator(".govuk-error-summary").count() > 0


def check_once(visitor: Visitor) -> None:
    """axe-core on each type of page once (every page is still checked for 4xx/5xx answers)."""
    seen: set[tuple[str, bool]] = visitor.__dict__.setdefault("page_types", set())
    kind = page_type(visitor)
    if kind not in seen:
        seen.add(kind)
        visitor.check()


def navigate(visitor: Visitor, selector: str) -> None:
    """Press Enter on a link or button and wait for the next page (axe on a new page type)."""
    with visitor.page.expect_navigation():
        key(visitor.page, selector)
    visitor.page.wait_for_load_state("load")
    check_once(visitor)


def open_page(visitor: Visitor, path: str) -> Any:
    response = visitor.page.goto(visitor.server.url + path)
    check_once(visitor)
    return response


def follow(visitor: Visitor, text: str) -> None:
    navigate(visitor, f'a:has-text("{text}")')


def submit(visitor: Visitor, button: str) -> None:
    navigate(visitor, f'button:has-text("{button}")')


def tab_submit(visitor: Visitor, button: str) -> None:
    """Tab to the form's button (its text checked) and press Enter (axe on a new page type)."""
    tab_to(visitor.page, "form button.govuk-button")
    assert visitor.page.evaluate("document.activeElement.innerText").strip() == button
    with visitor.page.expect_navigation():
        visitor.page.keyboard.press("Enter")
    visitor.page.wait_for_load_state("load")
    check_once(visitor)


def tab_choose(page: Any, name: str, value: str) -> None:
    """Tab into a radio group and move with the arrow keys until ``value`` is chosen."""
    tab_to(page, f"input[name='{name}']")
    page.keyboard.press("Space")
    for _ in range(8):
        if (
            page.evaluate("n => document.querySelector(`input[name='${n}']:checked`)?.value", name)
            == value
        ):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{name}: could not choose {value} with the arrow keys")


def set_goal(visitor: Visitor, source: str, text: str, weight: str) -> None:
    page = visitor.page
    key(page, f"input[name='source'][value='{source}']", "Space")
    type_into(page, "#id_description", text)
    for field, words in (("level_m1", "Less"), ("level_0", "As expected"), ("level_p1", "More")):
        type_into(page, f"#id_{field}", words)
    page.locator("#id_weight").fill("")
    type_into(page, "#id_weight", weight)
    type_into(page, "#id_set_on_day", "3")
    type_into(page, "#id_set_on_month", "6")
    type_into(page, "#id_set_on_year", "2019")
    submit(visitor, "Save the goal")


def rate(visitor: Visitor, link: str, levels: list[str]) -> None:
    follow(visitor, link)
    for i, level in enumerate(levels, start=1):
        key(visitor.page, f"input[name='goal_G{i}'][value='{level}']", "Space")
    submit(visitor, "Save the ratings")
    assert visitor.page.locator(".govuk-notification-banner--success").is_visible()


def test_worker_sets_goals_and_rates_them_at_review_by_keyboard(
    browser: Any, server: Server
) -> None:
    la_code, name = server.pilot
    worker = Visitor(browser, server)
    page = worker.page
    worker.sign_in("auditor_a")
    navigate(worker, '.govuk-service-navigation a:has-text("Family goals")')
    follow(worker, f"{name} ({la_code})")
    assert page.locator("#families").count() == 1  # the families imported with the project
    families_path = page.url.removeprefix(server.url)
    navigate(worker, "#families a[href*='/imported/']")  # read-only, axe-checked
    assert page.locator("h1 .govuk-tag", has_text="Imported").count() == 1
    assert page.locator(".govuk-summary-card").count() >= 1
    assert page.locator("main form").count() == 0
    open_page(worker, families_path)
    key(page, "input[name='time_point']", "Space")
    submit(worker, "Add the family")
    heading = page.locator("h1").inner_text()
    pseudonym = re.fullmatch(r"Family (P-[A-Z2-7]{16})", heading)
    assert pseudonym, heading
    family_path = re.sub(r"\?.*", "", page.url.removeprefix(server.url))

    follow(worker, "Add a goal")
    worker.expected_errors.add(page.url.removeprefix(server.url))
    submit(worker, "Save the goal")  # nothing typed: every required answer is asked for
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    key(page, ".govuk-error-summary a")
    page.wait_for_function("document.activeElement.name === 'source'")
    assert page.evaluate("document.activeElement.name") == "source"
    set_goal(worker, "worker", "Children attend school every day and arrive on time", "2")
    follow(worker, "Add a goal")
    set_goal(worker, "parent", "Kids get to school on time every day", "1")
    assert page.locator(".govuk-summary-card").count() == 2

    rate(worker, "Rate the goals at review (social worker)", ["1", "0"])
    rate(worker, "Enter the parent's paper rating form", ["2", "none"])
    t_scores = page.locator("#t-scores").inner_text()
    assert "Not yet rated" not in t_scores
    assert "58.0" in t_scores  # worker: 50 + 10 * (2 * 1 + 1 * 0) / sqrt(0.7 * 5 + 0.3 * 9)
    assert "70.0" in t_scores  # parent (G2 not rated): 50 + 10 * 2 * 2 / 2
    assert "Change goal" not in page.content()  # rated goals are fixed

    follow(worker, "Review whether the parent's goals match the worker's goals")
    assert page.locator("text=proposed as a match").count() == 1
    key(page, "input[name='match_G2'][value='accept']", "Space")
    submit(worker, "Record the matches")
    assert page.locator("text=The goal matches were recorded").count() == 1
    open_page(worker, f"/family-goals/{la_code}/")
    assert page.locator("#families th", has_text=pseudonym.group(1)).count() == 1

    open_page(worker, family_path)
    submit(worker, "Make a parent's rating link")
    address = page.locator("#parent-link strong").inner_text().strip()
    assert re.fullmatch(r"https?://[^/]+/r/[A-Za-z0-9_-]{43}/", address), address
    link_path = "/" + address.split("/", 3)[3]

    parent = Visitor(browser, server)  # no account, on a phone 320 px wide, keyboard only
    ppage = parent.page
    ppage.set_viewport_size({"width": 320, "height": 640})
    open_page(parent, link_path)
    assert "/family-goals/parent/" in ppage.url
    assert pseudonym.group(1) not in ppage.content()
    fits(ppage)
    rate_path = ppage.url.removeprefix(server.url)
    parent.expected_errors.add(rate_path)
    tab_submit(parent, "Send my answers")  # nothing chosen
    assert ppage.locator(".govuk-error-summary").is_visible()
    fits(ppage)
    tab_choose(ppage, "goal_G1", "-1")
    tab_choose(ppage, "goal_G2", "2")
    tab_submit(parent, "Send my answers")
    assert ppage.locator("h1", has_text="Your answers have been sent").count() == 1
    fits(ppage)
    parent.expected_errors.add(link_path)
    assert open_page(parent, link_path).status == 410  # the link works once
    fits(ppage)
    parent.expected_errors.add(rate_path)
    assert open_page(parent, rate_path).status == 410
    parent.close()

    open_page(worker, family_path)
    assert "1 link made, 1 answered" in page.content()
    assert "50.0" in page.locator("#t-scores").inner_text()  # parent: -1 * 2 + 2 * 1 = 0
    worker.close()
