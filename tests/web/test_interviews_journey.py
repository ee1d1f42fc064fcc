"""The interviews journey in headless Chromium, by keyboard alone, axe-core on every page type.

The evaluator plans an interview and a participant, uploads a transcript, adds a redaction the
rules missed, maps the speakers and confirms; then assigns the transcript to two coders for
blind coding. The first coder selects a segment with the keyboard (turn, first and last
character: the non-drag alternative of WCAG 2.5.7), applies two codes and writes a memo; the
second selects part of the same turn with the mouse and codes it differently; each marks the
transcript done, and the evaluator, as the third person, reconciles the difference. Choosing
the file is the one step done with the browser's file chooser.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import Server, Visitor

pytestmark = pytest.mark.browser

TRANSCRIPT = (
    "Interviewer: What has changed since the training?\n"
    "Alex Morgan: Alex here. We map every family's worries with them. Tom Okafor showed us how.\n"
)


def focus_key(page: Any, selector: str, press: str) -> None:
    page.locator(selector).first.focus()
    page.keyboard.press(press)


def type_into(page: Any, selector: str, text: str) -> None:
    page.locator(selector).first.focus()
    page.keyboard.type(text)


def press(visitor: Visitor, selector: str) -> None:
    """Press Enter on a link or button and wait for the next page; axe on each page type."""
    with visitor.page.expect_navigation():
        focus_key(visitor.page, selector, "Enter")
    visitor.page.wait_for_load_state("load")
    kind = re.sub(r"/\d+/", "/N/", urlsplit(visitor.page.url).path)
    seen: set[str] = visitor.__dict__.setdefault("kinds", set())
    if kind not in seen:
        seen.add(kind)
        visitor.check()


def button(visitor: Visitor, text: str) -> None:
    press(visitor, f'button:has-text("{text}")')


def test_code_by_keyboard_blind_second_coding_and_reconciliation(
    browser: Any, server: Server, tmp_path: Any
) -> None:
    la_code, name = server.pilot
    lead = Visitor(browser, server)
    page = lead.page
    page.set_default_timeout(10_000)
    lead.sign_in("evaluator")
    press(lead, '.govuk-service-navigation a:has-text("Interviews")')
    press(lead, f'a:has-text("{name} ({la_code})")')
    type_into(page, "#id_interview_id", f"INT-{la_code}-T1-91")
    type_into(page, "#id_time_point", "T1")
    type_into(page, "#id_kind", "Interview")
    button(lead, "Add to the plan")
    type_into(page, "#id_pseudonym", "R-9101")
    type_into(page, "#id_role", "Practitioner")
    type_into(page, "#id_form_version", "2.1")
    for part, value in (("day", "3"), ("month", "10"), ("year", "2018")):
        type_into(page, f"#id_consent_date_{part}", value)
    type_into(page, "#id_scope", "Analysis and")
    button(lead, "Add the participant")
    press(lead, 'a:has-text("Upload transcript")')
    file = tmp_path / "interview.txt"
    file.write_text(TRANSCRIPT, encoding="utf-8")
    page.set_input_files("#id_file", str(file))
    button(lead, "Upload and review")
    assert page.locator("#proposals tbody tr").count() == 1  # the speaker's first name
    type_into(page, "#id_words", "Tom Okafor")
    button(lead, "Save choices and add")
    assert page.locator("#proposals tbody tr").count() == 2
    type_into(page, "#speaker_0", "I-1")  # "Alex Morgan" and "Interviewer", sorted
    type_into(page, "#speaker_1", "R-9101")
    button(lead, "Confirm and store")
    assert "[PERSON-1]" in page.locator("#turns").inner_text()
    assert "Tom Okafor" not in page.content()
    transcript = urlsplit(page.url).path
    press(lead, 'a:has-text("Back to the site")')
    type_into(page, "#id_share", "100")
    type_into(page, "#id_first", "auditor_a")
    type_into(page, "#id_second", "auditor_b")
    button(lead, "Assign for double coding")
    assert "1 transcript(s) assigned" in page.locator("#assigned").inner_text()

    first = Visitor(browser, server)
    first.sign_in("auditor_a")
    first.go(transcript)
    p = first.page
    assert p.locator("#blind").count() == 1
    type_into(p, "#id_turn", "2")
    type_into(p, "#id_start", "1")
    type_into(p, "#id_end", "31")
    focus_key(p, "#code-practice-tools", "Space")
    focus_key(p, "#code-family-engaged", "Space")
    button(first, "Apply codes")
    codings = p.locator("#turn-2 li").all_inner_texts()
    assert any(c.startswith("practice-tools: characters 1 to 31") for c in codings), codings
    type_into(p, "#id_text", "Mapping with families comes up in every interview.")
    button(first, "Save the memo")
    assert "Mapping with families" in p.locator("#memos ~ div").first.inner_text()
    press(first, '#memos ~ div a:has-text("Edit")')
    type_into(p, "#id_text", " Ask about it at T2.")
    button(first, "Save the memo")
    assert "Ask about it at T2." in p.locator("#memos ~ div").first.inner_text()
    button(first, "Mark my coding done")

    second = Visitor(browser, server)
    second.sign_in("auditor_b")
    second.go(transcript)
    q = second.page
    assert q.locator("#turn-2 li").count() == 0  # blind: the first coder's codings are hidden
    q.evaluate(
        """() => {
        const text = document.querySelector("#turn-2 .turn-text").firstChild;
        const range = document.createRange();
        range.setStart(text, 0);
        range.setEnd(text, 10);
        window.getSelection().addRange(range);
        document.getElementById("turns").dispatchEvent(new MouseEvent("mouseup"));
        }"""
    )  # a mouse selection fills the same fields
    assert [q.input_value(f"#id_{f}") for f in ("turn", "start", "end")] == ["2", "1", "10"]
    focus_key(q, "#code-practice-tools", "Space")
    button(second, "Apply codes")
    button(second, "Mark my coding done")

    lead.go(transcript)
    press(lead, "#reconcile-link")
    assert page.locator("#agreement").count() == 1
    focus_key(page, "input[value='keep']", "Space")
    button(lead, "Save the agreed coding")
    assert "reconciled" in page.locator("#saved").inner_text()
    reconciled = page.locator("#turn-2 li").all_inner_texts()
    assert sum("(reconciled" in c for c in reconciled) == 2, reconciled
    for visitor in (lead, first, second):
        visitor.close()
