"""The impact strand's outcomes: the primary question, the secondary ones and the family.

``[analysis] primary`` and ``secondary`` in ``evaluation.toml`` are stated before the data are
seen (checked against the plan's indicators when the project loads, CSC-E1306, and recorded
in the run's provenance). When they are stated the strand analyses exactly those indicators,
primary first; the headline and the summary answer the primary question, and the secondary
indicators' p-values are adjusted as one family. Without them the strand analyses the plan's
headline indicators (:data:`HEADLINE_INDICATORS`, else the first four), all one family, and the
report says that no primary outcome was pre-specified.
"""

from __future__ import annotations

from dataclasses import dataclass

from csceval.indicators.panel import year_ending_march
from csceval.project import EvaluationSettings, ProjectData

HEADLINE_INDICATORS: tuple[str, ...] = (
    "rereferral_within_12m_pct",
    "cpp_rate_per_10k",
    "cla_rate_per_10k",
    "referral_rate_per_10k",
    "cin_rate_per_10k",
)
"""The indicators the impact strand analyses when the plan lists them and states no outcomes."""


@dataclass(frozen=True)
class OutcomePlan:
    """The pre-specified primary outcome (or None) and the indicators adjusted as a family."""

    primary: str | None
    indicators: tuple[str, ...]
    """Everything analysed, primary first."""

    @property
    def family(self) -> tuple[str, ...]:
        """The indicators whose p-values are adjusted together: the secondary ones, or all."""
        return tuple(i for i in self.indicators if i != self.primary)

    def describe(self) -> str:
        """One sentence for the report."""
        if self.primary is None:
            return (
                "No primary outcome was pre-specified ([analysis] primary in evaluation.toml), "
                f"so all {len(self.indicators)} indicators are treated as one family and their "
                "p-values adjusted for multiplicity."
            )
        n = len(self.family)
        return (
            f"The primary outcome, stated in advance, is {self.primary}; "
            + (f"the {n} secondary indicators' p-values are adjusted as a family." if n else "")
        ).rstrip("; ")


def analysed_indicators(settings: EvaluationSettings) -> list[str]:
    """The indicators the impact strand analyses (see the module notes)."""
    plan = settings.analysis
    if plan.primary is not None or plan.secondary:
        stated = [plan.primary] if plan.primary is not None else []
        return [*stated, *(s for s in plan.secondary if s not in stated)]
    chosen = [i for i in plan.indicators if i in HEADLINE_INDICATORS]
    return chosen or plan.indicators[:4]


def outcome_plan(settings: EvaluationSettings) -> OutcomePlan:
    """The project's :class:`OutcomePlan`."""
    return OutcomePlan(settings.analysis.primary, tuple(analysed_indicators(settings)))


def adoption_years(project: ProjectData) -> dict[str, int]:
    """Pilot LA code -> adoption year (the year ending 31 March containing the start)."""
    return {
        s.la_code: year_ending_march(s.implementation_start)
        for s in project.pilots
        if s.implementation_start is not None
    }
