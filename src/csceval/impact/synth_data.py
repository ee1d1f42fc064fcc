"""Panel data, specification and design matrices for synthetic control.

A :class:`SynthPanel` (:mod:`csceval.impact.synth_panel`) holds one ``times x units`` matrix per
variable; a :class:`SynthSpec` (:mod:`csceval.impact.synth_spec`) says which outcome to match on
and how (predictors, predictor weights V, windows). From the two, a treated unit and a treatment
time, :func:`build_design` validates the input, drops donors that cannot be used (with a note)
and computes the predictor matrix shared by the fit and its placebos.

Notes
-----
Predictors are means over a window of years, ignoring missing values (as R ``Synth``'s
``mean(na.rm = TRUE)``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from csceval.impact.synth_panel import SynthPanel, latest_span, positive_log
from csceval.impact.synth_spec import Predictor, SynthSpec, VMethod

__all__ = [
    "Design",
    "Predictor",
    "SynthPanel",
    "SynthSpec",
    "VMethod",
    "build_design",
    "latest_span",
    "positive_log",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class Design:
    """Everything a batch of fits with one treatment time and one donor pool needs."""

    spec: SynthSpec
    treatment_time: int
    times: tuple[int, ...]
    units: tuple[str, ...]
    y: FloatArray  # (T, N) outcome, less ``level`` (demeaned fits)
    level: FloatArray  # (N,) each unit's mean pre-period outcome when demeaned, else zeros
    pre: IntArray  # time indices of the pre-period used (target observed)
    post: IntArray  # time indices of the post-period
    opt: IntArray  # time indices of the outer-loss window
    x: FloatArray  # (k, N) predictor values
    labels: tuple[str, ...]
    donors: IntArray  # unit indices of the usable donor pool
    standardize: bool
    rmspe_floor: float
    notes: tuple[str, ...]


def build_design(
    panel: SynthPanel,
    spec: SynthSpec,
    target: int,
    treatment_time: int,
    candidates: Iterable[int],
) -> Design:
    """Validate a fit's input and compute its predictors and usable donor pool.

    Parameters
    ----------
    panel, spec
        The data and the specification.
    target
        Column index of the treated unit.
    treatment_time
        First treated period.
    candidates
        Column indices of the candidate donors (the target is removed if present).

    Raises
    ------
    ValueError
        No pre-period, no post-period, an all-NaN outcome, a predictor that cannot be computed
        for the treated unit, a predictor window reaching the treatment time, or no usable donor.
    """
    name = panel.units[target]
    y = panel.variable(spec.outcome)
    times = np.asarray(panel.times)
    if not np.isfinite(y[:, target]).any():
        raise ValueError(f"the outcome {spec.outcome!r} of {name!r} is missing (NaN) in every year")
    pre_all = np.flatnonzero(times < treatment_time)
    post = np.flatnonzero(times >= treatment_time)
    if pre_all.size == 0:
        raise ValueError(
            f"no pre-period: treatment starts in {treatment_time} but the panel starts in "
            f"{panel.times[0]}"
        )
    if post.size == 0:
        raise ValueError(
            f"no post-period: treatment starts in {treatment_time} but the panel ends in "
            f"{panel.times[-1]}"
        )
    observed = np.isfinite(y[pre_all, target])
    if not observed.any():
        raise ValueError(
            f"no pre-period: the outcome {spec.outcome!r} of {name!r} is missing in every year "
            f"before {treatment_time}"
        )
    notes: list[str] = []
    pre = pre_all[observed]
    if not observed.all():
        gaps = [panel.times[i] for i in pre_all[~observed]]
        notes.append(f"{name}: outcome missing before treatment in {gaps}; those years not matched")

    post_missing = [panel.times[i] for i in post if not np.isfinite(y[i, target])]
    if len(post_missing) == post.size:
        raise ValueError(
            f"no post-period: the outcome {spec.outcome!r} of {name!r} is missing in every year "
            f"from {treatment_time}"
        )
    if post_missing:
        notes.append(
            f"{name}: outcome missing after treatment in {post_missing}; those years left out "
            "of the post-period summaries"
        )
    level = np.zeros(y.shape[1])
    if spec.demean:
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # units with no pre-period value
            level = np.nanmean(y[pre], axis=0)
        y = y - level[None, :]
        panel = SynthPanel(panel.units, panel.times, {**panel.values, spec.outcome: y})
    labels, x = _predictors(panel, spec, pre, treatment_time, notes)
    if not np.isfinite(x[:, target]).all():
        bad = [lab for lab, ok in zip(labels, np.isfinite(x[:, target]), strict=True) if not ok]
        raise ValueError(f"predictors {bad} cannot be computed for {name!r} (no data in window)")

    opt = pre
    if spec.optimize_window is not None:
        lo, hi = spec.optimize_window
        opt = pre[(times[pre] >= lo) & (times[pre] <= hi)]
        if opt.size == 0:
            raise ValueError(f"optimize_window {spec.optimize_window} has no observed pre-year")

    cand = np.array(sorted({int(c) for c in candidates} - {target}), dtype=np.intp)
    if cand.size == 0:
        raise ValueError(f"no donors: the donor pool of {name!r} is empty")
    need = np.concatenate([pre, post])
    ok_y = np.isfinite(y[np.ix_(need, cand)]).all(axis=0)
    ok_x = np.isfinite(x[:, cand]).all(axis=0)
    dropped_y = [panel.units[c] for c in cand[~ok_y]]
    dropped_x = [panel.units[c] for c in cand[ok_y & ~ok_x]]
    if dropped_y:
        notes.append(
            f"dropped from the donor pool (outcome missing in a year the fit uses): {dropped_y}"
        )
    if dropped_x:
        notes.append(f"dropped from the donor pool (a predictor has no data): {dropped_x}")
    donors = cand[ok_y & ok_x]
    if donors.size == 0:
        raise ValueError(f"no donors: none of the {cand.size} candidate donors has complete data")
    standardize = bool(spec.predictors) if spec.standardize is None else spec.standardize
    if spec.v_method == "custom" and len(spec.custom_v or ()) != len(labels):
        n_v = len(spec.custom_v or ())
        raise ValueError(f"custom_v has {n_v} weights for {len(labels)} predictors")
    scale_units = np.concatenate([[target], donors])
    floor = 1e-9 * float(np.sqrt(np.mean(y[np.ix_(pre, scale_units)] ** 2)) or 1.0)
    return Design(
        spec=spec,
        treatment_time=treatment_time,
        times=panel.times,
        units=panel.units,
        y=y,
        level=level,
        pre=pre,
        post=post,
        opt=opt,
        x=x,
        labels=labels,
        donors=donors,
        standardize=standardize,
        rmspe_floor=floor,
        notes=tuple(notes),
    )


def _predictors(
    panel: SynthPanel, spec: SynthSpec, pre: IntArray, treatment_time: int, notes: list[str]
) -> tuple[tuple[str, ...], FloatArray]:
    y = panel.variable(spec.outcome)
    if not spec.predictors:
        labels = tuple(f"{spec.outcome}[{panel.times[i]}]" for i in pre)
        return labels, y[pre].copy()
    times = np.asarray(panel.times)
    rows = []
    late: list[str] = []
    for p in spec.predictors:
        if p.last < p.start:
            raise ValueError(f"predictor {p.label}: the window ends before it starts")
        if p.last >= treatment_time:
            if not spec.allow_post_predictors:
                raise ValueError(
                    f"predictor {p.label} uses data from the treatment period (starts "
                    f"{treatment_time}); predictors must be measured before treatment, unless "
                    "allowed (allow_post_predictors, --allow-post-predictors)"
                )
            late.append(p.label)
        window = np.flatnonzero(p.in_window(times))
        if window.size == 0:
            raise ValueError(f"predictor {p.label}: no panel year falls in the window")
        vals = panel.variable(p.variable)[window]
        counts = np.isfinite(vals).sum(axis=0)
        sums = np.where(np.isfinite(vals), vals, 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            rows.append(np.where(counts > 0, sums / np.maximum(counts, 1), np.nan))
    if late:
        message = (
            f"predictors {late} use data from the treatment period (starts {treatment_time}), "
            "as allowed (allow_post_predictors): they may absorb part of the effect"
        )
        warnings.warn(message, UserWarning, stacklevel=4)
        notes.append(message)
    return tuple(p.label for p in spec.predictors), np.vstack(rows)
