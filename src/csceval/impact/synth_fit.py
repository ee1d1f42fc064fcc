"""Batched synthetic control fitting: the result type and the machinery every fit shares.

:func:`solve_batch` fits many targets against masked donor pools of one :class:`Design` at
once (a main fit, its placebos, its leave-one-out refits), choosing V per problem and solving W
with the batched simplex solver. See :mod:`csceval.impact.synth` for the methodology.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from csceval.impact.synth_data import Design, SynthPanel, SynthSpec, build_design
from csceval.impact.synth_weights import nelder_mead_batch, regression_v, simplex_lstsq

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

NM_MAX_ITER = 500
"""Nelder-Mead iterations per start for ``v_method="nested"`` (R ``optim``'s default)."""

_V_DESCRIPTION = {
    "nested": "nested (Nelder-Mead on the pre-period outcome MSPE from equal and "
    "regression-based starts, as R Synth)",
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
        }


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
                f"{_V_DESCRIPTION[self.v_method]}; "
                f"{'standardised' if d.standardize else 'raw'} predictors; W: exact simplex "
                "least squares (Wolfe minimum-norm point)"
                + ("; demeaned (pre-period means removed)" if d.spec.demean else "")
            ),
            notes=d.notes + self.notes,
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
        keys = [
            np.sort(np.append(d.donors[masks[b]], targets[b])).tobytes()
            for b in range(targets.size)
        ]
        v = _regression_vs(x_pool, x_tgt, z_pool, z_tgt, masks, scale, keys, notes)
        if method == "nested":
            v, w_nested = _nested_vs(x_pool, x_tgt, z_pool, z_tgt, masks, scale, v, d.spec)
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


def _regression_vs(
    x_pool: FloatArray,
    x_tgt: FloatArray,
    z_pool: FloatArray,
    z_tgt: FloatArray,
    masks: BoolArray,
    scale: FloatArray,
    keys: list[bytes],
    notes: list[str],
) -> FloatArray:
    """Regression-based V for each problem, computed once per distinct set of units."""
    n_b, k = x_tgt.shape
    out = np.empty((n_b, k))
    cache: dict[bytes, FloatArray] = {}
    for b in range(n_b):
        key = keys[b]
        if key not in cache:
            cols = np.flatnonzero(masks[b])
            xs = np.vstack([x_tgt[b], x_pool[:, cols].T])
            zs = np.vstack([z_tgt[b], z_pool[:, cols].T])
            v, note = regression_v(xs / scale[b], zs)
            cache[key] = v
            if note:
                notes.append(note)
        out[b] = cache[key]
    return out


def _nested_vs(
    x_pool: FloatArray,
    x_tgt: FloatArray,
    z_pool: FloatArray,
    z_tgt: FloatArray,
    masks: BoolArray,
    scale: FloatArray,
    v_reg: FloatArray,
    spec: SynthSpec,
) -> tuple[FloatArray, FloatArray]:
    """Nested V: batched Nelder-Mead over ``|v| / sum|v|`` minimising the outcome MSPE.

    Returns the chosen V and the W that scored best for it, per problem.
    """
    n_b, k = x_tgt.shape
    starts = [np.full((n_b, k), 1.0 / k), v_reg]
    if spec.nested_multistart:
        starts += [np.tile(np.eye(k)[h], (n_b, 1)) for h in range(k)]
    start_arr = np.vstack(starts)
    owner = np.tile(np.arange(n_b), len(starts))
    n_i = owner.size
    # Each inner solve is warm-started from the same instance's previous corral (so most take
    # one or two Wolfe passes); the best (loss, W) seen per instance is kept, so the reported
    # W is exactly the one the search scored (W is not unique when predictors match exactly).
    support = np.full((n_i, min(k + 1, x_pool.shape[1]) + 1), -1, dtype=np.intp)
    best_loss = np.full(n_i, np.inf)
    best_w = np.zeros((n_i, x_pool.shape[1]))

    def loss(ids: IntArray, cand: FloatArray) -> FloatArray:
        p = owner[ids]
        rw = np.sqrt(_normalise(cand)) / scale[p]
        sol = simplex_lstsq(x_pool, x_tgt[p], rw, masks[p], start=support[ids])
        out: FloatArray = np.mean((z_tgt[p] - sol.weights @ z_pool.T) ** 2, axis=1)
        support[ids] = sol.support
        better = out < best_loss[ids]
        for row in np.flatnonzero(better):  # a few rows per call; repeated ids possible
            if out[row] < best_loss[ids[row]]:
                best_loss[ids[row]] = out[row]
                best_w[ids[row]] = sol.weights[row]
        return out

    best_x, best_f, _ = nelder_mead_batch(loss, start_arr, max_iter=NM_MAX_ITER)
    pick = best_f.reshape(len(starts), n_b).argmin(axis=0)
    inst = pick * n_b + np.arange(n_b)
    return _normalise(best_x[inst]), best_w[inst]


def _normalise(cand: FloatArray) -> FloatArray:
    """``|v| / sum|v|`` row-wise (equal weights for an all-zero row)."""
    a = np.abs(cand)
    total = a.sum(axis=1, keepdims=True)
    out: FloatArray = np.where(total > 0, a / np.where(total > 0, total, 1.0), 1.0 / a.shape[1])
    return out
