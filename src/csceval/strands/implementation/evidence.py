"""What can evidence a theory-of-change node: key indicators, instruments and strands.

An evidence reference in ``theory_of_change.toml`` is written ``indicator:<id>`` (an id from
:mod:`csceval.indicators.catalogue`), ``instrument:<id>`` (one of :data:`INSTRUMENTS`) or
``strand:<id>`` (one of :data:`STRANDS`). Each instrument names the strand that collects it and
the project table its data arrive in, so a report can say whether the evidence is in hand or
still to be collected by that strand.
"""

from __future__ import annotations

from dataclasses import dataclass

from csceval.indicators.catalogue import BY_ID

KINDS = ("indicator", "instrument", "strand")


@dataclass(frozen=True, slots=True)
class Instrument:
    """A data-collection instrument of the evaluation."""

    id: str
    title: str
    strand: str
    table: str = ""
    """The project table holding its data ('' when it produces no table, e.g. interviews)."""


STRANDS: dict[str, str] = {
    "key-indicators": "Key indicators over time",
    "impact": "Impact on key indicators",
    "implementation": "Theory of change and implementation",
    "benchmarking": "Benchmarking against similar LAs",
    "quality-of-recording": "Quality of recording (case-file audit)",
    "staff-survey": "Practitioner survey",
    "contrast-study": "Contrast study",
    "family-outcomes": "Families' experiences and goals",
    "deep-dives": "Interviews and focus groups",
    "costs": "Costs",
}
"""Strand ids an evidence reference may name (planned strands included), with their titles."""

INSTRUMENTS: dict[str, Instrument] = {
    i.id: i
    for i in (
        Instrument("self_profile", "Self-profiling instrument (T1, T2)", "implementation",
                   "self_profiles"),
        Instrument("implementation_plan", "Implementation plans and milestones",
                   "implementation", "implementation_milestones"),
        Instrument("case_file_audit", "Case-file audit of assessments and plans",
                   "quality-of-recording", "case_audits"),
        Instrument("staff_survey", "Practitioner survey", "staff-survey", "staff_survey"),
        Instrument("osc", "Organisational Social Context measure", "contrast-study",
                   "osc_scores"),
        Instrument("goal_attainment", "Goal attainment scaling with families",
                   "family-outcomes", "goal_attainment"),
        Instrument("family_interviews", "Interviews with parents and young people",
                   "family-outcomes"),
        Instrument("interviews", "Interviews and focus groups with leaders and staff",
                   "deep-dives"),
        Instrument("costs", "Cost returns", "costs", "cost_ledger"),
    )
}  # fmt: skip


def is_known(reference: str) -> bool:
    """True when ``reference`` names a known indicator, instrument or strand."""
    kind, _, ident = reference.partition(":")
    known: dict[str, set[str]] = {
        "indicator": set(BY_ID),
        "instrument": set(INSTRUMENTS),
        "strand": set(STRANDS),
    }
    return ident in known.get(kind, set())


def describe(reference: str) -> str:
    """A known reference in words, e.g. ``Key indicator: Children looked after rate``."""
    kind, _, ident = reference.partition(":")
    if kind == "indicator":
        return f"Key indicator: {BY_ID[ident].title}"
    if kind == "instrument":
        return f"Instrument: {INSTRUMENTS[ident].title}"
    return f"Strand: {STRANDS[ident]}"
