"""The summary page's content: each question's answers, what was not evaluated, the scope.

Answers are the sections' own :class:`~csceval.report.questions.Answer` values, repeated as the
sections wrote them (never recomputed here). A question no section answers is listed as not
evaluated, beside every strand of the plan that did not run and why. The project's description
and its stated assumptions follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from csceval.report.model import Report
from csceval.report.questions import Answer, Question, ScopeEntry


@dataclass(frozen=True, slots=True)
class QuestionView:
    question: Question
    answers: tuple[tuple[Answer, str, str], ...]  # (answer, section id, section title)


@dataclass(frozen=True, slots=True)
class SummaryView:
    questions: tuple[QuestionView, ...]
    not_evaluated: tuple[str, ...]
    scope: tuple[ScopeEntry, ...]
    description: tuple[str, ...]
    assumptions: tuple[str, ...] = ()


def summary_view(report: Report) -> SummaryView:
    """What the summary shows, in the order of the report's questions."""
    views = []
    for question in report.questions:
        answers = tuple(
            (answer, section.id, section.title)
            for section in report.sections
            for answer in section.answers
            if answer.question == question.id
        )
        views.append(QuestionView(question, answers))
    missing = [
        f"{v.question.text} Not answered: no part of the analysis that ran answers it."
        for v in views
        if not v.answers
    ]
    skipped = [
        f"{entry.title}: not run ({entry.reason or 'no reason recorded'})."
        for entry in report.scope
        if not entry.ran
    ]
    description = tuple(p.strip() for p in report.description.split("\n\n") if p.strip())
    return SummaryView(
        tuple(views), tuple(missing + skipped), report.scope, description, report.assumptions
    )
