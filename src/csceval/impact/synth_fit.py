"""Batched synthetic control fitting: the result type and the machinery every fit shares.

:func:`solve_batch` fits many targets against masked donor pools of one :class:`Design` at
once (a main fit, its placebos, its leave-one-out refits), choosing V per problem and solving W
with the batched simplex solver. See :mod:`csceval.impact.synth` for the methodology.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from csceval.impact.synth_blas import single_blas_thread
from csceval.impact.synth_data import Design, SynthPanel, SynthSpec, build_design
from csceval.impact.synth_nested import nested_vs, regression_vs
from csceval.impact.synth_weights import simplex_lstsq

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

_V_DESCRIPTION = {
    "nested": "nested (Nelder-Mead on the loss-window outcome MSPE, as R Synth)",
    "regression": "regression-based (as R Synth's starting value and Stata synth's default)",
    "equal": "equal weights",
    "custom": "user-supplied",
    "fixed": "fixed (the treated unit's V, imposed on this fit)",
}


def json_float(value: float) -> float | None:
    """``value`` as a JSON-safe float (``None`` for NaN and infinities)."""
    return float(value) if math.isfinite(value) else None


@dataclass(frozen=True)
class SynthResult:
    """A synthetic control fit for one treated unit and one outcome.

    Parameters
    ----------
    treated
        The treated unit.
    treatment_time
        First treated period.
    outcome
        The outcome variable.
    weights
        Donor weights, every donor of the pool (zeros included), summing to one.
    v
        Predictor weights V by predictor label, summing to one.
    balance
        Per predictor: (treated value, synthetic value), raw units.
    pre_rmspe, post_rmspe
        Root mean squared gap before and after treatment.
    att
        Average post-period gap (treated minus synthetic).
    rmspe_ratio
        ``post_rmspe / max(pre_rmspe, floor)``, the placebo-test statistic (the floor,
        1e-9 x the outcome's pre-period root mean square, only matters for a perfect fit).
    v_method
        How V was chosen (``SynthSpec.v_method``, or ``"fixed"`` when it was imposed).
    gaps
        Treated minus synthetic, every period (NaN where the treated unit is not observed).
    treated_path, synthetic_path
        The two series behind ``gaps``.
    loss_v
        Outer loss: outcome MSPE over the loss window.
    loss_w
        Inner loss: the V-weighted (standardised) predictor discrepancy.
    method
        How the fit was made.
    notes
        Methodological choices and data issues, one sentence each.
    sample_mean
        Per predictor: the mean over the fit's donor pool (R ``Synth``'s "sample mean").
    """

    treated: str
    treatment_time: int
    outcome: str
    weights: dict[str, float]
    v: dict[str, float]
    balance: dict[str, tuple[float, float]]
    pre_rmspe: float
    post_rmspe: float
    att: float
    rmspe_ratio: float
    v_method: str
    gaps: dict[int, float]
    treated_path: dict[int, float]
    synthetic_path: dict[int, float]
    loss_v: float
    loss_w: float
    method: str
    notes: tuple[str, ...] = ()
    sample_mean: dict[str, float] = field(default_factory=dict)

    def balance_table(self) -> list[dict[str, object]]:
        """Per predictor: V, treated, synthetic and donor-sample mean (R ``Synth``'s tables)."""
        return [
            {
                "predictor": label,
                "v": json_float(self.v.get(label, math.nan)),
                "treated": json_float(treated),
                "synthetic": json_float(synthetic),
                "sample_mean": json_float(self.sample_mean.get(label, math.nan)),
            }
            for label, (treated, synthetic) in self.balance.items()
        ]

    def top_donors(self, threshold: float = 1e-6) -> dict[str, float]:
        """Donors with weight above ``threshold``, largest first."""
        pos = [(u, w) for u, w in self.weights.items() if w > threshold]
        return dict(sorted(pos, key=lambda kv: -kv[1]))

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping (non-finite numbers become ``None``; times become lists)."""
        times = list(self.gaps)
        return {
            "treated": self.treated,
            "treatment_time": self.treatment_time,
            "outcome": self.outcome,
            "weights": {u: float(w) for u, w in self.weights.items()},
            "v": {k: float(w) for k, w in self.v.items()},
            "balance": {k: [json_float(a), json_float(b)] for k, (a, b) in self.balance.items()},
            "pre_rmspe": json_float(self.pre_rmspe),
            "post_rmspe": json_float(self.post_rmspe),
            "att": json_float(self.att),
            "rmspe_ratio": json_float(self.rmspe_ratio),
            "v_method": self.v_method,
            "times": times,
            "gaps": [json_float(self.gaps[t]) for t in times],
            "treated_path": [json_float(self.treated_path[t]) for t in times],
            "synthetic_path": [json_float(self.synthetic_path[t]) for t in times],
            "loss_v": json_float(self.loss_v),
            "loss_w": json_float(self.loss_w),
            "method": self.method,
            "notes": list(self.notes),
            "balance_table": self.balance_table(),
        }


def _starts(spec: SynthSpec, k: int) -> str:
    """How the nested search was started, for the method string."""
    if spec.v_method != "nested":
        return ""
    if not spec.nested_multistart:
        return " from equal and regression-based V (R Synth's two starts)"
    return (
        f" from {2 + k + spec.v_starts} starts (equal, regression-based, {k} unit vectors, "
        f"{spec.v_starts} random with seed {spec.v_seed}), the lowest loss kept"
    )


def design_for(
    panel: SynthPanel,
    spec: SynthSpec,
    treated: str,
    treatment_time: int,
    donors: Iterable[str] | None,
) -> Design:
    """Validated :class:`Design` for ``treated`` with donors given by label (default: all)."""
    target = panel.index_of(treated)
    if donors is None:
        cand: list[int] = [i for i in range(len(panel.units)) if i != target]
    else:
        cand = [panel.index_of(d) for d in donors]
    return build_design(panel, spec, target, int(treatment_time), cand)


@dataclass(frozen=True, eq=False)
class BatchFit:
    """Fits of several targets against (masked) donor pools of one design, as arrays."""

    design: Design
    targets: IntArray  # (B,) unit indices
    masks: BoolArray  # (B, J) admissible donors (columns of design.donors)
    weights: FloatArray  # (B, J)
    v: FloatArray  # (B, k)
    loss_w: FloatArray
    loss_v: FloatArray
    synthetic: FloatArray  # (B, T)
    gaps: FloatArray  # (B, T)
    pre_rmspe: FloatArray
    post_rmspe: FloatArray
    att: FloatArray
    ratio: FloatArray
    v_method: str
    notes: tuple[str, ...]

    def result(self, b: int) -> SynthResult:
        """The :class:`SynthResult` of problem ``b``."""
        d = self.design
        t = int(self.targets[b])
        donors = [d.units[j] for j in d.donors]
        in_pool = self.masks[b]
        synth_x = d.x[:, d.donors] @ self.weights[b]
        pool_mean = d.x[:, d.donors[in_pool]].mean(axis=1)
        times = list(d.times)
        return SynthResult(
            treated=d.units[t],
            treatment_time=d.treatment_time,
            outcome=d.spec.outcome,
            weights={
                u: float(w) for u, w, ok in zip(donors, self.weights[b], in_pool, strict=True) if ok
            },
            v=dict(zip(d.labels, map(float, self.v[b]), strict=True)),
            balance={lab: (float(d.x[i, t]), float(synth_x[i])) for i, lab in enumerate(d.labels)},
            pre_rmspe=float(self.pre_rmspe[b]),
            post_rmspe=float(self.post_rmspe[b]),
            att=float(self.att[b]),
            rmspe_ratio=float(self.ratio[b]),
            v_method=self.v_method,
            gaps=dict(zip(times, map(float, self.gaps[b]), strict=True)),
            treated_path=dict(zip(times, map(float, d.y[:, t] + d.level[t]), strict=True)),
            synthetic_path=dict(
                zip(times, map(float, self.synthetic[b] + d.level[t]), strict=True)
            ),
            loss_v=float(self.loss_v[b]),
            loss_w=float(self.loss_w[b]),
            method=(
                "synthetic control (Abadie, Diamond & Hainmueller 2010); V: "
                f"{_V_DESCRIPTION[self.v_method]}{_starts(d.spec, len(d.labels))}; "
                f"{'standardised' if d.standardize else 'raw'} predictors; W: exact simplex "
                "least squares (Wolfe minimum-norm point)"
                + ("; demeaned (pre-period means removed)" if d.spec.demean else "")
            ),
            notes=d.notes + self.notes,
            sample_mean=dict(zip(d.labels, map(float, pool_mean), strict=True)),
        )


def solve_batch(
    design: Design,
    targets: IntArray,
    masks: BoolArray,
    v_fixed: FloatArray | None = None,
) -> BatchFit:
    """Fit every target against its masked donor pool (placebos, leave-one-out, main fit).

    Parameters
    ----------
    design
        Shared data (outcome, predictors, windows, donor pool).
    targets
        ``(B,)`` unit indices of the units to synthesise.
    masks
        ``(B, J)`` admissible donors of each target among ``design.donors`` (a target must not
        be its own donor).
    v_fixed
        ``(k,)`` predictor weights to use for every problem instead of ``spec.v_method``.
    """
    with single_blas_thread():
        return _solve_batch(design, targets, masks, v_fixed)


def _solve_batch(
    design: Design,
    targets: IntArray,
    masks: BoolArray,
    v_fixed: FloatArray | None = None,
) -> BatchFit:
    d = design
    targets = np.asarray(targets, dtype=np.intp)
    masks = np.asarray(masks, dtype=bool) & (d.donors[None, :] != targets[:, None])
    if not masks.any(axis=1).all():
        raise ValueError("no donors: a fit has an empty donor pool")
    x_pool = d.x[:, d.donors]
    x_tgt = d.x[:, targets].T
    scale = _scales(x_pool, x_tgt, masks) if d.standardize else np.ones_like(x_tgt)
    notes: list[str] = []
    k = x_pool.shape[0]
    z_pool = d.y[np.ix_(d.opt, d.donors)]
    z_tgt = d.y[np.ix_(d.opt, targets)].T
    method = d.spec.v_method
    w_nested: FloatArray | None = None
    if v_fixed is not None:
        v = np.broadcast_to(np.asarray(v_fixed, dtype=np.float64), (targets.size, k)).copy()
    elif method == "equal":
        v = np.full((targets.size, k), 1.0 / k)
    elif method == "custom":
        cv = np.asarray(d.spec.custom_v, dtype=np.float64)
        v = np.tile(cv / cv.sum(), (targets.size, 1))
    else:
        v = regression_vs(d, targets, masks, scale, notes)
        if method == "nested":
            floor = d.rmspe_floor**2
            v, w_nested = nested_vs(x_pool, x_tgt, z_pool, z_tgt, masks, scale, v, d.spec, floor)
    if w_nested is None:
        w = simplex_lstsq(x_pool, x_tgt, np.sqrt(v) / scale, masks).weights
    else:
        w = w_nested
    loss_w = np.sum((np.sqrt(v) / scale * (x_tgt - w @ x_pool.T)) ** 2, axis=1)
    resid = z_tgt - w @ z_pool.T
    loss_v = np.mean(resid**2, axis=1)
    y_pool = d.y[:, d.donors]
    nan_pool = ~np.isfinite(y_pool)
    synthetic = np.where(nan_pool, 0.0, y_pool) @ w.T
    synthetic[(nan_pool.astype(np.float64) @ (w > 0).T) > 0] = np.nan
    synthetic = synthetic.T
    gaps = d.y[:, targets].T - synthetic
    pre_rmspe = np.sqrt(np.mean(gaps[:, d.pre] ** 2, axis=1))
    post_gaps = gaps[:, d.post]
    seen = np.isfinite(post_gaps)
    n_seen = seen.sum(axis=1)
    post_gaps = np.where(seen, post_gaps, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        att = np.where(n_seen > 0, post_gaps.sum(axis=1) / n_seen, np.nan)
        post_rmspe = np.sqrt(np.where(n_seen > 0, (post_gaps**2).sum(axis=1) / n_seen, np.nan))
    ratio = post_rmspe / np.maximum(pre_rmspe, d.rmspe_floor)
    return BatchFit(
        design=d,
        targets=targets,
        masks=masks,
        weights=w,
        v=v,
        loss_w=loss_w,
        loss_v=loss_v,
        synthetic=synthetic,
        gaps=gaps,
        pre_rmspe=pre_rmspe,
        post_rmspe=post_rmspe,
        att=att,
        ratio=ratio,
        v_method="fixed" if v_fixed is not None else method,
        notes=tuple(dict.fromkeys(notes)),
    )


def _scales(x_pool: FloatArray, x_tgt: FloatArray, masks: BoolArray) -> FloatArray:
    """``(B, k)`` standard deviations (ddof 1) of each predictor over target + masked pool."""
    m = masks.astype(np.float64)
    n = m.sum(axis=1) + 1.0
    mean = (m @ x_pool.T + x_tgt) / n[:, None]
    dev = (x_pool[None, :, :] - mean[:, :, None]) ** 2 * m[:, None, :]
    ss = dev.sum(axis=2) + (x_tgt - mean) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(ss / np.maximum(n - 1.0, 1.0)[:, None])
    out: FloatArray = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
    return out
