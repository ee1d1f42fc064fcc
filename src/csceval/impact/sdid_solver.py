"""The block-design solver of synthetic difference-in-differences, ported from R ``synthdid``.

A faithful port of ``synthdid_estimate`` (R package ``synthdid`` 0.0.9, Arkhangelsky, Athey,
Hirshberg, Imbens and Wager 2021, *AER* 111(12)) without covariates:

- ``Y`` is ``units x times`` with the ``N0`` controls first and the ``T0`` pre-periods first;
- noise level: the standard deviation (n - 1 denominator) of the first differences of the
  controls' pre-period outcomes;
- unit weights omega: regularisation ``zeta_omega = (N1 * T1) ** (1/4) * noise``, an intercept
  (columns centred), a Frank-Wolfe solver with exact line search (``sc.weight.fw``), first for
  100 iterations, then sparsified (weights at most a quarter of the largest set to zero,
  renormalised) and solved again for up to 10,000 iterations; stopping when the objective falls
  by less than ``(1e-5 * noise) ** 2`` in an iteration;
- time weights lambda: the same with ``zeta_lambda = 1e-6 * noise`` on the transposed problem;
- ``tau = (-omega, 1/N1)' Y (-lambda, 1/T1)``.

Synthetic control and DiD come from the same solver as in ``synthdid``: ``sc_estimate`` is
``zeta_omega = 1e-6 * noise``, no intercept, lambda fixed at zero; ``did_estimate`` fixes
uniform omega and lambda.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

Method = Literal["sdid", "sc", "did"]
METHODS: tuple[str, ...] = ("sdid", "sc", "did")
MAX_ITER = 10_000
MAX_ITER_PRE_SPARSIFY = 100


@dataclass(frozen=True)
class Options:
    """The settings a fit passes on to its placebo and jackknife refits (as R's ``opts``)."""

    zeta_omega: float
    zeta_lambda: float
    omega_intercept: bool
    min_decrease: float
    update_omega: bool
    update_lambda: bool


@dataclass(frozen=True)
class BlockFit:
    """One block-design fit: the estimate, the weights and the options used."""

    tau: float
    omega: FloatArray  # (N0,)
    lam: FloatArray  # (T0,)
    noise_level: float
    options: Options


def noise_level(y: FloatArray, n0: int, t0: int) -> float:
    """``sd(apply(Y[1:N0, 1:T0], 1, diff))``: sd of the controls' pre-period first differences."""
    diffs = np.diff(y[:n0, :t0], axis=1)
    if diffs.size < 2:
        raise ValueError("synthetic DiD needs at least two pre-periods and two controls")
    return float(np.std(diffs, ddof=1))


def options_for(method: Method, y: FloatArray, n0: int, t0: int) -> tuple[Options, float]:
    """R ``synthdid``'s defaults for ``synthdid_estimate``, ``sc_estimate`` and ``did_estimate``."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    noise = noise_level(y, n0, t0)
    n1, t1 = y.shape[0] - n0, y.shape[1] - t0
    eta_omega = 1e-6 if method == "sc" else float((n1 * t1) ** 0.25)
    opts = Options(
        zeta_omega=eta_omega * noise,
        zeta_lambda=1e-6 * noise,
        omega_intercept=method != "sc",
        min_decrease=1e-5 * noise,
        update_omega=method != "did",
        update_lambda=method == "sdid",
    )
    return opts, noise


def default_weights(method: Method, n0: int, t0: int) -> tuple[FloatArray, FloatArray]:
    """Fixed or starting weights: zero lambda for SC, uniform otherwise."""
    omega = np.full(n0, 1.0 / n0)
    lam = np.zeros(t0) if method == "sc" else np.full(t0, 1.0 / t0)
    return omega, lam


def collapsed_form(y: FloatArray, n0: int, t0: int) -> FloatArray:
    """``(N0 + 1) x (T0 + 1)``: controls' pre-periods, their post mean, the treated means.

    ``y`` may carry leading batch axes (``(..., N, T)``).
    """
    top = np.concatenate([y[..., :n0, :t0], y[..., :n0, t0:].mean(axis=-1, keepdims=True)], -1)
    treated = y[..., n0:, :]
    bottom = np.concatenate(
        [treated[..., :t0].mean(axis=-2), treated[..., t0:].mean(axis=(-2, -1))[..., None]], -1
    )
    return np.concatenate([top, bottom[..., None, :]], axis=-2)


def sum_normalize(x: FloatArray) -> FloatArray:
    """``x / sum(x)``, or uniform weights when the sum is zero (R ``sum_normalize``)."""
    total = x.sum()
    return x / total if total != 0 else np.full(len(x), 1.0 / len(x))


def sparsify(v: FloatArray) -> FloatArray:
    """Zero the weights at most a quarter of the largest and renormalise."""
    out: FloatArray = np.where(v <= v.max() / 4, 0.0, v)
    normalised: FloatArray = out / out.sum()
    return normalised


def fw_weights(
    y: FloatArray,
    zeta: float,
    *,
    intercept: bool,
    start: FloatArray | None,
    min_decrease: float,
    max_iter: int,
) -> FloatArray:
    """``sc.weight.fw``: simplex weights on the columns of ``y[..., :-1]`` to predict the last.

    Minimises ``zeta^2 * |w|^2 + |A w - b|^2 / n`` by Frank-Wolfe with exact line search. ``y``
    may be a batch ``(B, n, k + 1)`` of independent problems (``start`` then ``(B, k)``), solved
    in lockstep; each stops on its own criterion, exactly as if solved alone.
    """
    if y.ndim == 2:
        return _fw_one(y, zeta, intercept, start, min_decrease, max_iter)
    ys = y
    n_b, n, k1 = ys.shape
    k = k1 - 1
    if start is None:
        w = np.full((n_b, k), 1.0 / k)
    else:
        w = np.array(start, dtype=np.float64, copy=True).reshape(n_b, k)
    if intercept:
        ys = ys - ys.mean(axis=1, keepdims=True)
    a, b = ys[:, :, :k], ys[:, :, k]
    eta = n * zeta**2
    rows = np.arange(n_b)
    prev = np.full(n_b, np.inf)
    cur = np.full(n_b, np.inf)
    active = np.ones(n_b, dtype=bool)
    it = 0
    while it < max_iter and active.any():
        it += 1
        ax = (a @ w[:, :, None])[:, :, 0]
        resid = ax - b
        half_grad = (resid[:, None, :] @ a)[:, 0, :] + eta * w
        i = np.argmin(half_grad, axis=1)
        d_w = -w
        d_w[rows, i] += 1.0
        d_err = a[rows, :, i] - ax
        denom = (d_err * d_err).sum(axis=1) + eta * (d_w * d_w).sum(axis=1)
        num = -(half_grad * d_w).sum(axis=1)
        moving = np.any(d_w != 0, axis=1) & active
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.clip(np.where(moving, num / np.where(moving, denom, 1.0), 0.0), 0.0, 1.0)
        w = w + step[:, None] * d_w
        err = (a @ w[:, :, None])[:, :, 0] - b
        val = zeta**2 * (w * w).sum(axis=1) + (err * err).sum(axis=1) / n
        prev = np.where(active, cur, prev)
        cur = np.where(active, val, cur)
        if it >= 2:
            active &= prev - cur > min_decrease**2
    return w


def _fw_one(
    y: FloatArray,
    zeta: float,
    intercept: bool,
    start: FloatArray | None,
    min_decrease: float,
    max_iter: int,
) -> FloatArray:
    """:func:`fw_weights` for one problem, in Gram form.

    The same iterates as ``sc.weight.fw`` (to rounding, about 1e-14 after 10,000 steps), with
    less work per step: the gradient comes from ``G w`` (``G = A'A``, kept up to date with one
    column of ``G``), and ``|w|^2``, ``w'Gw`` and ``c'w`` (``c = A'b``), which give the line
    search and the objective, follow scalar recurrences along the step ``w + s (e_i - w)``. A
    step costs a few operations on length-k vectors instead of two products with ``A``:
    about 2.5 times faster on the headline's problems, where the loop's overhead dominates.
    """
    n, k1 = y.shape
    k = k1 - 1
    w = np.full(k, 1.0 / k) if start is None else np.array(start, dtype=np.float64)
    if intercept:
        y = y - y.mean(axis=0)
    a, b = y[:, :k], y[:, k]
    eta = n * zeta**2
    gram = np.ascontiguousarray(a.T @ a)
    diag = np.diag(gram).tolist()
    c = a.T @ b
    c_list = c.tolist()
    bb = float(b @ b)
    gw = gram @ w
    ww, wgw, cw = float(w @ w), float(w @ gw), float(c @ w)
    prev = cur = np.inf
    it = 0
    while it < max_iter and (it < 2 or prev - cur > min_decrease**2):
        it += 1
        half_grad = gw - c
        half_grad += eta * w
        i = int(half_grad.argmin())
        wi, gwi = float(w[i]), float(gw[i])
        if wi != 1.0 or np.any(np.delete(w, i)):  # d_w = e_i - w is not zero
            d_w_sq = ww - 2.0 * wi + 1.0
            d_err_sq = diag[i] - 2.0 * gwi + wgw
            num = float(half_grad @ w) - float(half_grad[i])
            step = min(1.0, max(0.0, num / (d_err_sq + eta * d_w_sq)))
            keep = 1.0 - step
            w *= keep
            w[i] += step
            gw *= keep
            gw += step * gram[i]
            ww = keep * keep * ww + 2.0 * step * keep * wi + step * step
            wgw = keep * keep * wgw + 2.0 * step * keep * gwi + step * step * diag[i]
            cw = keep * cw + step * c_list[i]
        prev, cur = cur, zeta**2 * ww + (wgw - 2.0 * cw + bb) / n
    return w


def _solve(
    yc: FloatArray, zeta: float, intercept: bool, start: FloatArray, min_decrease: float
) -> FloatArray:
    first = fw_weights(
        yc,
        zeta,
        intercept=intercept,
        start=start,
        min_decrease=min_decrease,
        max_iter=MAX_ITER_PRE_SPARSIFY,
    )
    sparse = np.apply_along_axis(sparsify, -1, first)
    return fw_weights(
        yc,
        zeta,
        intercept=intercept,
        start=sparse,
        min_decrease=min_decrease,
        max_iter=MAX_ITER,
    )


def fit_block(
    y: FloatArray,
    n0: int,
    t0: int,
    options: Options,
    omega: FloatArray,
    lam: FloatArray,
    noise: float = float("nan"),
) -> BlockFit:
    """``synthdid_estimate`` with given options; ``omega``/``lam`` are fixed or starting values."""
    n1, t1 = y.shape[0] - n0, y.shape[1] - t0
    if n0 < 1 or n1 < 1 or t0 < 1 or t1 < 1:
        raise ValueError("synthetic DiD needs controls, treated units, pre- and post-periods")
    taus, omegas, lams = fit_batch(y[None], n0, t0, options, omega[None], lam[None])
    return BlockFit(float(taus[0]), omegas[0], lams[0], noise, options)


def fit_batch(
    ys: FloatArray,
    n0: int,
    t0: int,
    options: Options,
    omega: FloatArray,
    lam: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:func:`fit_block` on a batch ``(B, N, T)`` sharing ``n0``, ``t0`` and the options.

    ``omega`` is ``(B, N0)`` and ``lam`` ``(B, T0)``; returns ``(tau, omega, lam)`` per problem.
    """
    n_b, n, t = ys.shape
    n1, t1 = n - n0, t - t0
    one = n_b == 1
    if options.update_lambda or options.update_omega:
        yc = collapsed_form(ys, n0, t0)
    if options.update_lambda:
        lam_y = yc[:, :n0, :]
        lam = (
            _solve(lam_y[0], options.zeta_lambda, True, lam[0], options.min_decrease)[None]
            if one
            else _solve(lam_y, options.zeta_lambda, True, lam, options.min_decrease)
        )
    if options.update_omega:
        om_y = np.swapaxes(yc[:, :, :t0], 1, 2)
        zeta, icpt, md = options.zeta_omega, options.omega_intercept, options.min_decrease
        omega = (
            _solve(om_y[0], zeta, icpt, omega[0], md)[None]
            if one
            else _solve(om_y, zeta, icpt, omega, md)
        )
    rows = np.concatenate([-omega, np.full((n_b, n1), 1.0 / n1)], axis=1)
    cols = np.concatenate([-lam, np.full((n_b, t1), 1.0 / t1)], axis=1)
    taus = np.einsum("bn,bnt,bt->b", rows, ys, cols)
    return taus, omega, lam


def estimate_block(y: FloatArray, n0: int, t0: int, method: Method = "sdid") -> BlockFit:
    """One block-design estimate with R ``synthdid``'s defaults for ``method``."""
    if not np.isfinite(y).all():
        raise ValueError("the outcome matrix has missing values")
    opts, noise = options_for(method, y, n0, t0)
    omega, lam = default_weights(method, n0, t0)
    return fit_block(y, n0, t0, opts, omega, lam, noise)
