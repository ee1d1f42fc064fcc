"""Simulated implementation plans, milestones and self-profiles (T1, T2) for the pilots.

Modelling choices
-----------------
- Maturity of a pilot on a day: ``m = months / (months + 1.5 x embedding months)``, months since
  its implementation start (0 before it): it rises quickly, then slowly, and a pilot that took
  longer to embed matures more slowly. After an exit, maturity fades linearly to nothing over
  18 months from its level at exit (exited pilots decline).
- Self-profile rating of an element: ``10 x m x difficulty + pilot effect + noise`` rounded and
  clipped to 0-10; the difficulties make leadership and training run ahead of recording systems
  and quality assurance; pilot effects have SD 0.8 and noise SD 0.7. All rows are reviewed.
- Plans: two milestones per element, the first planned a fixed number of months after the
  start (leadership before it), the second nine months later. Delays are drawn per milestone
  (mean 45 days, SD 70; some early), and a milestone stalls (is not achieved at all) with
  probability 0.05 + 0.3 x (1 - difficulty), so harder elements slip more. A milestone is
  achieved if its achieved date falls on or before the end of T2; otherwise it is in progress
  (planned date passed) or planned. For an exited pilot, milestones not achieved by its exit
  are dropped.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import numpy as np

from csceval.simulate.pilots import TIME_POINTS, Pilot, _add_months
from csceval.simulate.rng import stream
from csceval.strands.implementation.elements import element_ids
from csceval.strands.implementation.tables import IMPLEMENTATION_MILESTONES, SELF_PROFILES

FADE_MONTHS = 18
DIFFICULTY = {
    "leadership": 1.0, "learning": 0.95, "practice_leads": 0.9, "supervision": 0.8,
    "policy_alignment": 0.75, "forms_recording": 0.6, "quality_assurance": 0.65,
    "family_engagement": 0.8,
}  # fmt: skip
OFFSET_MONTHS = {
    "leadership": -3, "learning": 0, "practice_leads": 3, "supervision": 6,
    "policy_alignment": 9, "forms_recording": 12, "quality_assurance": 15,
    "family_engagement": 12,
}  # fmt: skip
MILESTONES = {
    "leadership": ("Implementation board set up", "Board reviews the first year"),
    "learning": ("Core training for front-line staff", "Practice groups running in every team"),
    "practice_leads": ("Practice leads appointed", "Practice leads coach in every team"),
    "supervision": ("Supervision template revised", "Managers trained to supervise in the "
                    "approach"),
    "policy_alignment": ("Procedures reviewed", "Revised procedures published"),
    "forms_recording": ("New assessment template designed", "Recording system changed"),
    "quality_assurance": ("Audit tool revised", "First fidelity audit reported"),
    "family_engagement": ("Family network meetings introduced", "Family feedback collected"),
}  # fmt: skip
EVIDENCE = "Implementation board papers and practice-lead reports"


def _months(a: date, b: date) -> float:
    return (b - a).days / 30.4375


def maturity(pilot: Pilot, day: date) -> float:
    """How far implementation has gone on ``day`` (0-1)."""

    def grown(d: date) -> float:
        months = max(0.0, _months(pilot.implementation_start, d))
        embed = max(1.0, _months(pilot.implementation_start, pilot.fully_embedded))
        return months / (months + 1.5 * embed)

    if pilot.exit_date is not None and day > pilot.exit_date:
        fade = max(0.0, 1.0 - _months(pilot.exit_date, day) / FADE_MONTHS)
        return grown(pilot.exit_date) * fade
    return grown(day)


def self_profile_rows(pilots: tuple[Pilot, ...], seed: int) -> list[list[object]]:
    """Rows of data/self_profiles.csv (sorted by LA, time point, element order)."""
    rows: list[list[object]] = []
    for p in sorted(pilots, key=lambda p: p.la_code):
        rng = stream(seed, "implementation", "profiles", p.la_code)
        effect = rng.normal(0.0, 0.8)
        for tp, _, end, _ in TIME_POINTS:
            m = maturity(p, end)
            for el in element_ids():
                raw = 10 * m * DIFFICULTY[el] + effect + rng.normal(0.0, 0.7)
                rating = int(np.clip(np.rint(raw), 0, 10))
                rows.append([p.la_code, tp, el, rating, "reviewed", EVIDENCE])
    return rows


def milestone_rows(pilots: tuple[Pilot, ...], seed: int) -> list[list[object]]:
    """Rows of data/implementation_milestones.csv (sorted by LA, element order, planned date)."""
    as_at = TIME_POINTS[-1][2]
    rows: list[list[object]] = []
    for p in sorted(pilots, key=lambda p: p.la_code):
        rng = stream(seed, "implementation", "milestones", p.la_code)
        for el in element_ids():
            first = _add_months(p.implementation_start, OFFSET_MONTHS[el])
            for k, text in enumerate(MILESTONES[el]):
                planned = _add_months(first, 9 * k)
                stalled = rng.random() < 0.05 + 0.3 * (1 - DIFFICULTY[el])
                delay = 10_000 if stalled else int(rng.normal(45.0, 70.0))
                done = planned + timedelta(days=delay)
                cut = as_at if p.exit_date is None else min(as_at, p.exit_date)
                if done <= cut:
                    status, achieved = "achieved", done.isoformat()
                elif p.exit_date is not None and p.exit_date < as_at:
                    status, achieved = "dropped", ""
                else:
                    status, achieved = ("in_progress" if planned <= as_at else "planned"), ""
                evidence = EVIDENCE if status == "achieved" else "Implementation plan"
                rows.append([p.la_code, el, text, planned.isoformat(), achieved, status, evidence])
    return rows


def _csv(columns: tuple[str, ...], rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def implementation_files(pilots: tuple[Pilot, ...], seed: int) -> dict[str, str]:
    """The text of the two implementation tables, by relative path."""
    return {
        IMPLEMENTATION_MILESTONES.file: _csv(
            IMPLEMENTATION_MILESTONES.column_names, milestone_rows(pilots, seed)
        ),
        SELF_PROFILES.file: _csv(SELF_PROFILES.column_names, self_profile_rows(pilots, seed)),
    }
