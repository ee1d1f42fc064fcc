"""The survey as pages: which questions are asked (skip logic), in what order, and the
instrument in use (the project's ``culture_survey.xlsx`` if imported, else the open default)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from csceval.strands.culture_survey.instrument import Instrument, Question, default_instrument
from csceval.strands.culture_survey.xlsform import parse_instrument_file
from csceval.web.evaluation.models import ProjectFile

INSTRUMENT_PATH = "culture_survey.xlsx"
ASKED_TYPES = frozenset({"select_one", "select_multiple", "text", "integer", "decimal"})

Answers = dict[str, Any]


@lru_cache(maxsize=4)
def _parsed(sha256: str) -> Instrument:
    stored = ProjectFile.objects.get(path=INSTRUMENT_PATH, sha256=sha256)
    return parse_instrument_file(bytes(stored.content), INSTRUMENT_PATH)


def current_instrument() -> Instrument:
    """The evaluation's instrument (parsed once per version of the file)."""
    sha = ProjectFile.objects.filter(path=INSTRUMENT_PATH).values_list("sha256", flat=True).first()
    return _parsed(sha) if sha else default_instrument()


def stored_value(value: str | list[str]) -> str:
    """An answer as the long table holds it (a select_multiple's choices space-separated)."""
    return " ".join(value) if isinstance(value, list) else value


def asked_questions(instrument: Instrument, answers: Answers) -> list[Question]:
    """The questions asked given ``answers``, in form order.

    A question whose skip rule is false is not asked, and its answer counts as empty for the
    rules of later questions (as in ODK).
    """
    effective: Answers = {}
    asked: list[Question] = []
    for q in instrument.questions:
        if q.type not in ASKED_TYPES:
            continue
        if q.relevance(effective):
            asked.append(q)
            if q.name in answers:
                effective[q.name] = answers[q.name]
    return asked


def notes(instrument: Instrument) -> list[str]:
    """The form's notes (shown on the start page)."""
    return [q.label for q in instrument.questions if q.type == "note" and q.label]


def neighbours(
    instrument: Instrument, answers: Answers, name: str
) -> tuple[Question | None, Question | None]:
    """The asked questions before and after ``name`` (None at either end)."""
    asked = asked_questions(instrument, answers)
    names = [q.name for q in asked]
    if name not in names:
        return None, asked[0] if asked else None
    at = names.index(name)
    return (asked[at - 1] if at else None), (asked[at + 1] if at + 1 < len(asked) else None)


def first_unanswered(instrument: Instrument, answers: Answers) -> Question | None:
    return next((q for q in asked_questions(instrument, answers) if q.name not in answers), None)


def choice_label(instrument: Instrument, question: Question, value: str | list[str]) -> str:
    """An answer as the respondent saw it (choice labels; free text as written)."""
    if not question.type.startswith("select_"):
        return stored_value(value)
    labels = {c.name: c.label for c in instrument.choices[question.list_name]}
    chosen = value if isinstance(value, list) else [value]
    return ", ".join(labels.get(v, v) for v in chosen)
