"""What can evidence a theory-of-change node: key indicators, instruments and strands.

An evidence reference in ``theory_of_change.toml`` is written ``indicator:<id>`` (an id from
:mod:`csceval.indicators.catalogue`), ``instrument:<id>`` (one of :data:`INSTRUMENTS`) or
``strand:<id>`` (one of :data:`STRANDS`, the registered strand ids; the planned names of
earlier files are accepted through :data:`ALIASES`). Each instrument names the strand that
collects it and the project table its data arrive in, so a report can say whether the evidence
is in hand or still to be collected by that strand; a strand's findings on these references
reach the evidence map through ``Strand.evidence`` (:mod:`.evidence_map`).
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
    "child-impact": "Child-level impact",
    "implementation": "Theory of change and implementation",
    "benchmarking": "Benchmarking against statistical neighbours",
    "quality-of-recording": "Quality of recording",
    "culture-survey": "Team culture and climate",
    "family-goals": "Family outcomes against goals",
    "interviews": "Interviews and focus groups",
    "costs": "Costs and value",
}
"""Registered strand ids an evidence reference may name, with their titles (as registered)."""

ALIASES: dict[str, str] = {
    "staff-survey": "culture-survey",
    "contrast-study": "culture-survey",
    "family-outcomes": "family-goals",
    "deep-dives": "interviews",
}
"""Planned strand names earlier theory-of-change files use -> the registered strand's id."""

INSTRUMENTS: dict[str, Instrument] = {
    i.id: i
    for i in (
        Instrument("self_profile", "Self-profiling instrument (T1, T2)", "implementation",
                   "self_profiles"),
        Instrument("implementation_plan", "Implementation plans and milestones",
                   "implementation", "implementation_milestones"),
        Instrument("case_file_audit", "Case-file audit of assessments and plans",
                   "quality-of-recording", "case_audits"),
        Instrument("staff_survey", "Practitioner survey", "culture-survey", "survey_responses"),
        Instrument("osc", "Organisational culture and climate measure", "culture-survey",
                   "survey_responses"),
        Instrument("goal_attainment", "Goal attainment scaling with families",
                   "family-goals", "goal_ratings"),
        Instrument("family_interviews", "Interviews with parents and young people", ""),
        Instrument("interviews", "Interviews and focus groups with leaders and staff",
                   "interviews", "interviews"),
        Instrument("costs", "Cost returns", "costs", "cost_ledger"),
    )
}  # fmt: skip
"""Instruments by id; ``strand`` is '' for one no registered strand collects yet."""


def canonical(reference: str) -> str:
    """``reference`` with a planned strand name replaced by the registered id (else as is)."""
    kind, _, ident = reference.partition(":")
    return f"strand:{ALIASES[ident]}" if kind == "strand" and ident in ALIASES else reference


def is_known(reference: str) -> bool:
    """True when ``reference`` names a known indicator, instrument or strand."""
    kind, _, ident = reference.partition(":")
    known: dict[str, set[str]] = {
        "indicator": set(BY_ID),
        "instrument": set(INSTRUMENTS),
        "strand": set(STRANDS) | set(ALIASES),
    }
    return ident in known.get(kind, set())


def describe(reference: str) -> str:
    """A known reference in words, e.g. ``Key indicator: Children looked after rate``."""
    kind, _, ident = reference.partition(":")
    if kind == "indicator":
        return f"Key indicator: {BY_ID[ident].title}"
    if kind == "instrument":
        return f"Instrument: {INSTRUMENTS[ident].title}"
    return f"Strand: {STRANDS[ALIASES.get(ident, ident)]}"
