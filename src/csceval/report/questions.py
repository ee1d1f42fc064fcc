"""The evaluation's questions, the answers sections give them, and the plan's scope.

A strand's section answers a question by carrying an :class:`Answer` with the question's id:
one plain sentence (direction words, the number beside them), its strength of evidence and what
the design could detect, written by the strand's ``render`` from its own published results, so
the summary page repeats the sections and never recomputes. The report names no strand: the
questions are ids, and the summary lists under each question whatever sections answered it.

Notes
-----
The default questions are the five of the reference evaluation (the Signs of Safety phase 2
evaluation: theory of change and implementation, impact on key indicators, the framework against
contrast sites, cost-benefit, implementation costs).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Strength = Literal["none", "low", "moderate", "high"]

IMPLEMENTATION = "implementation"
IMPACT = "impact"
CONTRAST = "contrast"
COST_BENEFIT = "cost-benefit"
COSTS = "implementation-costs"


@dataclass(frozen=True, slots=True)
class Question:
    """One question the evaluation sets out to answer."""

    id: str
    text: str


DEFAULT_QUESTIONS: tuple[Question, ...] = (
    Question(IMPLEMENTATION, "Was the framework put in place as its theory of change intends?"),
    Question(IMPACT, "Did the framework change the pilots' key indicators?"),
    Question(CONTRAST, "How do framework sites compare with contrast sites?"),
    Question(COST_BENEFIT, "Do the savings repay the framework's costs?"),
    Question(COSTS, "What did implementing the framework cost?"),
)


@dataclass(frozen=True, slots=True)
class Answer:
    """A section's answer to question ``question``: one plain sentence for the summary page.

    ``detectable`` says what the design could detect (a minimum detectable effect, the width of
    the intervals); ``strength`` is the section's strength of evidence, None where the answer is
    a description rather than an estimate.
    """

    question: str
    text: str
    strength: Strength | None = None
    detectable: str = ""

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError(f"The answer to question {self.question!r} is empty")


@dataclass(frozen=True, slots=True)
class ScopeEntry:
    """One strand of the evaluation plan: whether it ran, and if not, why."""

    id: str
    title: str
    ran: bool
    reason: str = ""


class SiteContrast(Protocol):
    """A published comparison of framework with contrast sites (any strand's)."""

    @property
    def time_point(self) -> str: ...
    @property
    def difference(self) -> float: ...
    @property
    def n_sites_framework(self) -> int: ...
    @property
    def n_sites_contrast(self) -> int: ...


def contrast_answers(
    comparisons: Sequence[SiteContrast],
    measure: str,
    unit: str,
    strength: Callable[[Any], Strength | None],
    mde: Callable[[Any], str] = lambda c: "",
) -> tuple[Answer, ...]:
    """A section's answer to the contrast question from the last of its published
    ``comparisons`` (none when there is none or it is not estimable): ``Case-file quality at
    T2: framework sites 9.4 points higher than contrast sites (8 against 2 sites).``
    ``measure`` may name ``{time_point}``; ``mde`` says what the design could detect."""
    if not comparisons or not math.isfinite(comparisons[-1].difference):
        return ()
    c = comparisons[-1]
    side = "higher" if c.difference > 0 else "lower"
    text = (
        f"{measure.format(time_point=c.time_point)}: framework sites {abs(c.difference):.1f} "
        f"{unit} {side} than contrast sites ({c.n_sites_framework} against "
        f"{c.n_sites_contrast} sites)."
    )
    return (Answer(CONTRAST, text, strength(c), mde(c)),)
