"""The impact estimators, for any panel: synthetic control, Callaway-Sant'Anna, SDID, ITS.

Everything public is importable from here (``from csceval.impact import fit_synth, att_gt``):

- synthetic control: :func:`fit_synth` on a :class:`SynthPanel` with a :class:`SynthSpec`
  (:class:`SynthResult`), its placebo tests :func:`placebo_in_space`, :func:`placebo_in_time`
  and :func:`leave_one_out`, and :func:`pooled_synth` for several treated units at once;
- Callaway-Sant'Anna difference-in-differences: :func:`att_gt` and :func:`aggte`;
- synthetic difference-in-differences: :func:`synthdid`;
- controlled interrupted time series: :func:`its`;
- the size calibration of these tests on a real panel: :func:`calibrate`;
- reading a long CSV into a panel, with coded problems: :func:`read_synth_panel`.

The impact strand (:mod:`csceval.strands.impact`) runs them on a project's pilots; the
``csceval impact ...`` commands run them on any CSV.
"""

from csceval.impact.calibrate import CalibrationResult, MethodCalibration, calibrate
from csceval.impact.did import AggregateResult, ATTgtResult, aggte, att_gt
from csceval.impact.its import ITSResult, its
from csceval.impact.panel_io import read_synth_panel
from csceval.impact.sdid import CohortFit, SDIDResult, synthdid
from csceval.impact.synth import (
    LeaveOneOutResult,
    PlaceboExclusion,
    PlaceboResult,
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
    "ITSResult",
    "LeaveOneOutResult",
    "MethodCalibration",
    "PlaceboExclusion",
    "PlaceboResult",
    "PooledSynthResult",
    "Predictor",
    "SDIDResult",
    "SynthPanel",
    "SynthResult",
    "SynthSpec",
    "aggte",
    "att_gt",
    "calibrate",
    "fit_synth",
    "its",
    "leave_one_out",
    "placebo_in_space",
    "placebo_in_time",
    "pooled_synth",
    "read_synth_panel",
    "synthdid",
]
