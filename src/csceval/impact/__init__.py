"""Impact on key indicators: comparator selection and the estimators.

The estimators are libraries for now (synthetic control, Callaway-Sant'Anna); the impact strand
that runs them on a project and reports them arrives with its issue.
"""

from csceval.impact.comparators import ComparatorSet, choose_comparators
from csceval.impact.did import AggregateResult, ATTgtResult, aggte, att_gt
from csceval.impact.synth import (
    PooledSynthResult,
    Predictor,
    SynthPanel,
    SynthResult,
    SynthSpec,
    fit_synth,
    leave_one_out,
    placebo_in_space,
    placebo_in_time,
    pooled_synth,
)

__all__ = [
    "ATTgtResult",
    "AggregateResult",
    "ComparatorSet",
    "PooledSynthResult",
    "Predictor",
    "SynthPanel",
    "SynthResult",
    "SynthSpec",
    "aggte",
    "att_gt",
    "choose_comparators",
    "fit_synth",
    "leave_one_out",
    "placebo_in_space",
    "placebo_in_time",
    "pooled_synth",
]
