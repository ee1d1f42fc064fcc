"""What each pooled impact estimator averages over: the weighting of its estimand.

The recovery study (:mod:`csceval.strands.impact.recovery`) and the truth check
(:mod:`csceval.strands.truth_check.estimand`) both turn the injected effects into the truth a
method targets, and must weight them as the method does; they read the rule here, so a new
method is added once.
"""

from __future__ import annotations

PILOT_WEIGHTED = frozenset({"synth_pooled", "synth_rmspe", "its", "random_trend"})
"""Methods whose estimand weights pilots equally (the mean over pilots of each one's mean
post-adoption effect); every other method weights pilot-years equally (Callaway-Sant'Anna's
simple aggregation, synthetic DiD's cohorts weighted by treated unit-periods)."""
