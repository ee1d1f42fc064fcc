"""What each pooled impact estimator averages over: the weighting of its estimand.

The recovery study (:mod:`csceval.strands.impact.recovery`) and the truth check
(:mod:`csceval.strands.truth_check.estimand`) both turn the injected effects into the truth a
method targets, and must weight them as the method does; they read the rule here, so a new
method is added once.
"""

from __future__ import annotations

from collections.abc import Iterable

PILOT_WEIGHTED = frozenset({"synth_pooled", "synth_rmspe", "its", "random_trend"})
"""Methods whose estimand weights pilots equally (the mean over pilots of each one's mean
post-adoption effect); every other method weights pilot-years equally (Callaway-Sant'Anna's
simple aggregation, synthetic DiD's cohorts weighted by treated unit-periods)."""


HEADLINE_METHODS = ("random_trend", "synth_pooled", "did", "sdid")
"""The impact headline on an indicator is the first of these the plan ran: the random-trend
model leads where a plan has it (docs/methods.md, "How much of the drift could any estimator
remove?"). The impact verdicts and the key-indicators adoption sensitivity read this rule."""
PLAN_ESTIMATOR = {"random_trend": "trend", "synth_pooled": "synth", "did": "did", "sdid": "sdid"}
"""Each headline method's name in a plan's ``[analysis].estimators``."""


def plan_headline(estimators: Iterable[str]) -> str | None:
    """The headline method of a plan with these ``estimators`` (None: no headline method)."""
    named = set(estimators)
    return next((m for m in HEADLINE_METHODS if PLAN_ESTIMATOR[m] in named), None)
