"""The impact estimators, for any panel: synthetic control, Callaway-Sant'Anna, SDID, ITS.

Everything public is importable from here (``from csceval.impact import fit_synth, att_gt``):

- synthetic control: :func:`fit_synth` on a :class:`SynthPanel` with a :class:`SynthSpec`
  (:class:`SynthResult`), its placebo tests :func:`placebo_in_space`, :func:`placebo_in_time`
  and :func:`leave_one_out`, and :func:`pooled_synth` for several treated units at once;
- Callaway-Sant'Anna difference-in-differences: :func:`att_gt` and :func:`aggte`;
- synthetic difference-in-differences: :func:`synthdid`;
- controlled interrupted time series: :func:`its`;
- child-level difference-in-differences with few clusters: :func:`matched_did` on a sample
  matched by :func:`coarsened_exact_match` or :func:`propensity_match` (balance:
  :func:`balance_table`), with CR1/CR2 standard errors (:func:`cr1_vcov`, :func:`cr2_vcov`)
  and the wild cluster bootstrap (:func:`wild_cluster_bootstrap`, :func:`cluster_ols`);
- the size calibration of these tests on a real panel: :func:`calibrate`;
- reading a long CSV into a panel, with coded problems: :func:`read_synth_panel`.

The impact strand (:mod:`csceval.strands.impact`) runs them on a project's pilots; the
``csceval impact ...`` commands run them on any CSV.
"""

from csceval.impact.calibrate import CalibrationResult, MethodCalibration, calibrate
from csceval.impact.did import AggregateResult, ATTgtResult, aggte, att_gt
from csceval.impact.few_clusters import (
    ClusterEstimate,
    ClusterFit,
    WildBootstrap,
    cluster_ols,
    cr1_vcov,
    cr2_vcov,
    wild_cluster_bootstrap,
)
from csceval.impact.its import ITSResult, its
from csceval.impact.matched_did import MatchedDid, matched_did
from csceval.impact.matching import (
    Matching,
    balance_table,
    coarsened_exact_match,
    propensity_match,
)
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
    "ClusterEstimate",
    "ClusterFit",
    "CohortFit",
    "ITSResult",
    "LeaveOneOutResult",
    "MatchedDid",
    "Matching",
    "MethodCalibration",
    "PlaceboExclusion",
    "PlaceboResult",
    "PooledSynthResult",
    "Predictor",
    "SDIDResult",
    "SynthPanel",
    "SynthResult",
    "SynthSpec",
    "WildBootstrap",
    "aggte",
    "att_gt",
    "balance_table",
    "calibrate",
    "cluster_ols",
    "coarsened_exact_match",
    "cr1_vcov",
    "cr2_vcov",
    "fit_synth",
    "its",
    "leave_one_out",
    "matched_did",
    "placebo_in_space",
    "placebo_in_time",
    "pooled_synth",
    "propensity_match",
    "read_synth_panel",
    "synthdid",
    "wild_cluster_bootstrap",
]
