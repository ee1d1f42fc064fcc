"""The strength of evidence of the costs section's two answers (docs/methods.md, "Costs and
value: strength of evidence").

Notes
-----
**Cost-benefit.** The savings are the impact strand's headline estimates valued at unit costs,
so the result can be no firmer than those estimates: its grade is the *weakest* of

- the impact section's strength of evidence of each estimate the analysis values (the impact
  result's ``to_frame()`` column ``strength``; an estimate whose grade is not stated counts as
  ``none``, and a change entered by the evaluator in ``data/activity_changes.csv`` as ``low``:
  an assumption, not an estimate), because the net present value adds every line up and is no
  firmer than its least-evidenced part; and
- how sure the cost-benefit analysis's own Monte Carlo simulations are of the sign of the net
  present value: with ``p`` the share of simulations in which the savings exceeded the costs,
  ``max(p, 1 - p)`` of at least 0.95 is high, 0.80 moderate, 0.60 low, below that none (the
  sign is close to a coin toss). Without simulations the sign's certainty is unmeasured: low.

Without a cost-benefit analysis (the savings are unknown) the grade is ``none``.

**Implementation costs.** A descriptive measurement, not an estimate: its grade is the
completeness of the pilots' cost returns, the share of the expected returns (each pilot, and
each exited pilot up to its exit, in each of the evaluation's financial years) with at least one
row in ``data/cost_ledger.csv``: all of them is high, at least 75% moderate, any low, none none.
A return that is there but leaves out some costs cannot be seen in the ledger, so high means
"every return came in", not "every cost was recorded".
"""

from __future__ import annotations

from dataclasses import dataclass

from csceval.report.model import Strength
from csceval.strands.costs.analysis import CostsResult
from csceval.strands.costs.from_impact import ACTIVITY_OF_INDICATOR

NOUNS = {activity: noun for _, activity, noun in ACTIVITY_OF_INDICATOR.values()}
"""Activity -> what its change counts, in words (``children looked after``)."""

ORDER: tuple[Strength, ...] = ("none", "low", "moderate", "high")
"""Weakest first."""

SIGN_THRESHOLDS: tuple[tuple[float, Strength], ...] = (
    (0.95, "high"),
    (0.80, "moderate"),
    (0.60, "low"),
)
"""Share of simulations agreeing on the sign of the net present value -> the strongest grade."""

COMPLETE_MODERATE = 0.75
"""Implementation costs are moderate when at least this share of the expected returns came in."""


@dataclass(frozen=True, slots=True)
class Grade:
    """A strength of evidence and the reason for it, in words."""

    strength: Strength
    reason: str


def weakest(*strengths: Strength) -> Strength:
    """The weakest of ``strengths`` (none < low < moderate < high)."""
    return min(strengths, key=ORDER.index)


def _as_strength(value: str) -> Strength:
    return next((s for s in ORDER if s == value), "none")


def sign_grade(p: float) -> Strength:
    """How sure the simulations are of the net present value's sign (``p`` = P(NPV > 0))."""
    sure = max(p, 1.0 - p)
    return next((s for limit, s in SIGN_THRESHOLDS if sure >= limit), "none")


def cba_grade(result: CostsResult) -> Grade:
    """The cost-benefit result's strength of evidence (see the module notes)."""
    if result.model is None or result.cba is None:
        return Grade("none", "there is no cost-benefit analysis, so the savings are unknown")
    parts: list[tuple[str, Strength]] = []
    for line in result.model.lines:
        change = line.change
        label = NOUNS.get(change.activity, change.activity.replace("_", " "))
        if change.baseline is None:
            parts.append((f"{label}: entered by the evaluator, an assumption (low)", "low"))
        else:
            stated = result.impact_strengths.get(change.activity)
            strength = _as_strength(stated) if stated is not None else "none"
            parts.append((f"{label}: {strength} in the impact section", strength))
    cap = weakest(*(s for _, s in parts)) if parts else "none"
    if result.psa is None:
        sign: Strength = "low"
        sign_text = "no simulations were run, so how sure the sign is was not measured"
    else:
        p = result.psa.prob_benefits_exceed_costs
        sign = sign_grade(p)
        side = "savings exceeded the costs" if p >= 0.5 else "costs exceeded the savings"
        sign_text = f"the {side} in {max(p, 1 - p):.0%} of simulations ({sign})"
    strength = weakest(cap, sign)
    reason = (
        f"no stronger than the weakest impact estimate it values: "
        f"{'; '.join(text for text, _ in parts) or 'none'}; and {sign_text}"
    )
    return Grade(strength, reason)


def costs_grade(result: CostsResult) -> Grade:
    """The implementation costs' strength of evidence: completeness of the cost returns."""
    expected = len(result.expected_returns)
    missing = result.missing_returns
    if expected == 0:
        return Grade("low", "the plan names no pilot or financial year to expect returns for")
    got = expected - len(missing)
    share = got / expected
    strength: Strength = "low" if got else "none"
    if not missing:
        strength = "high"
    elif share >= COMPLETE_MODERATE:
        strength = "moderate"
    reason = f"{got} of the {expected} expected cost returns (each pilot in each financial year)"
    if missing:
        names = result.site_names
        shown = ", ".join(f"{names.get(code, code)} {fy}" for code, fy in missing[:6])
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        reason += f" are in the ledger; missing: {shown}{more}"
    else:
        reason += " are in the ledger"
    return Grade(strength, reason)
