"""Impact on key indicators: comparator selection and the estimators.

The estimators (synthetic control, Callaway-Sant'Anna, synthetic DiD, ITS) and their size
calibration are libraries with a CLI (``csceval impact ...``) for any panel; ``strand.py`` runs
them on a project's pilots and ``section.py`` reports them with a verdict on the strength of
evidence and each test's calibrated real size.
"""

from csceval.impact.calibrate import CalibrationResult, calibrate
from csceval.impact.comparators import ComparatorSet, choose_comparators
from csceval.impact.did import AggregateResult, ATTgtResult, aggte, att_gt
from csceval.impact.its import ITSResult, its
from csceval.impact.sdid import CohortFit, SDIDResult, synthdid
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
    "CalibrationResult",
    "CohortFit",
    "ComparatorSet",
    "ITSResult",
    "PooledSynthResult",
    "Predictor",
    "SDIDResult",
    "SynthPanel",
    "SynthResult",
    "SynthSpec",
    "aggte",
    "att_gt",
    "calibrate",
    "choose_comparators",
    "fit_synth",
    "its",
    "leave_one_out",
    "placebo_in_space",
    "placebo_in_time",
    "pooled_synth",
    "synthdid",
]
