"""Inference with few clusters: CR1 and CR2 variances, the wild cluster bootstrap, cluster OLS.

With ten pilot local authorities, inference must be at the LA level and the number of clusters
is small, so the usual cluster-robust (CR1) t-test over-rejects. This module offers the two
remedies the literature recommends (Cameron, Gelbach & Miller 2008; Imbens & Kolesar 2016;
Pustejovsky & Tipton 2018; MacKinnon & Webb 2018):

- :func:`cr2_vcov`: the Bell & McCaffrey (2002) bias-reduced variance, with Bell-McCaffrey
  (Satterthwaite) degrees of freedom for its t-test (:func:`cluster_ols` ``df_bm``, ``p_cr2``);
- :func:`wild_cluster_bootstrap`: the restricted wild cluster bootstrap (WCR) of the CR1
  t-statistic, with Rademacher or Webb (six-point) weights; Rademacher draws are fully
  enumerated when ``2^G <= reps``.

:func:`cr1_vcov` is the CRV1 variance with the small-sample factor ``G/(G-1) * (N-1)/(N-K)``,
equal to pyfixest ``feols(..., vcov={"CRV1": cluster})`` when fixed effects are entered as
dummy columns (pyfixest does not count absorbed fixed effects nested in the clusters in ``K``).

Everything is computed from per-cluster moments ``X_g'W_g X_g`` and ``X_g'W_g y_g``
(:mod:`csceval.impact.cluster_moments`), so the cost after one pass over the rows does not
depend on N. Weights are analytic (WLS) weights: the fit is OLS on the ``sqrt(w)``-scaled model,
and every variance treats the weights as fixed (for matching weights this ignores the
uncertainty of the match, as is usual for CEM). ``N`` counts rows with a non-zero weight.

Input the estimators cannot use raises :class:`~csceval.errors.InputError` with code CSC-E7103.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from csceval.impact.cluster_moments import (
    ClusterBlocks,
    ClusterMoments,
    FloatArray,
    cluster_moments,
    estimator_problem,
)
from csceval.impact.wild_bootstrap import (
    Draws,
    bootstrap_t,
    draw_weights,
    symmetric_p_value,
)

__all__ = [
    "ClusterEstimate",
    "ClusterFit",
    "ReplicateTests",
    "WildBootstrap",
    "bm_degrees_of_freedom",
    "cluster_ols",
    "cr1_vcov",
    "cr2_vcov",
    "wild_cluster_bootstrap",
    "wild_contrast",
]


_DEGENERATE = 1e-12


@dataclass(frozen=True)
class WildBootstrap:
    """A wild cluster bootstrap test of one coefficient (or contrast) being zero.

    ``t_stat`` is the sample's CR1 t-statistic; ``p_value`` the two-sided symmetric bootstrap
    p-value; ``reps`` the number of replications actually used (``2^G`` under full
    enumeration, then ``enumerated`` is true); ``draws`` ``"rademacher"`` or ``"webb"``;
    ``restricted`` true for WCR (null imposed on the bootstrap samples), false for WCU."""

    t_stat: float
    p_value: float
    reps: int
    draws: str
    restricted: bool
    n_clusters: int
    enumerated: bool = False


@dataclass(frozen=True)
class ClusterEstimate:
    """One coefficient (or contrast) with few-cluster inference.

    ``se_cr1`` and ``se_cr2`` are the CR1 and CR2 standard errors; ``df = G - 1`` (the
    reference t distribution of CR1 tests, as in Stata and pyfixest); ``df_bm`` the
    Bell-McCaffrey degrees of freedom of the CR2 t-test and ``p_cr2`` its two-sided p-value
    (the recommended analytic test with few clusters); ``p_cr1`` the CR1 t-test on ``df``;
    ``wild`` the wild cluster bootstrap test, when run."""

    name: str
    estimate: float
    se_cr1: float
    se_cr2: float
    df: int
    p_cr2: float
    wild: WildBootstrap | None
    n_clusters: int
    n_obs: int
    df_bm: float = math.nan
    p_cr1: float = math.nan


@dataclass(frozen=True, eq=False)
class ReplicateTests:
    """One contrast's estimate, CR2 standard error and two-sided CR2 t-test p-value for each
    of R outcome vectors fitted on one design (arrays of length R); ``df_bm`` is the design's
    Bell-McCaffrey degrees of freedom, the same for every vector."""

    estimate: FloatArray
    se_cr2: FloatArray
    p_cr2: FloatArray
    df_bm: float


def cr1_vcov(
    X: npt.ArrayLike,  # noqa: N803 (the design matrix, named as in the literature)
    resid: npt.ArrayLike,
    clusters: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> FloatArray:
    """CRV1 variance of the (weighted) least-squares coefficients of a fit with residuals
    ``resid``: ``G/(G-1) * (N-1)/(N-K) * B (sum_g X_g'W_g e_g e_g'W_g X_g) B``."""
    m = cluster_moments(resid, X, clusters, weights)
    return m.cr1(m.bread(), m.xty)


def cr2_vcov(
    X: npt.ArrayLike,  # noqa: N803 (the design matrix, named as in the literature)
    resid: npt.ArrayLike,
    clusters: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> FloatArray:
    """Bell-McCaffrey CR2 variance ``B (sum_g X_g'W_g A_g e_g e_g'A_g W_g X_g) B`` with
    ``A_g = (I - H_gg)^{-1/2}`` (no further small-sample factor), as clubSandwich ``vcovCR(...,
    type = "CR2")`` with the identity working model of the ``sqrt(w)``-scaled regression.
    A cluster's own fixed-effect dummies make ``I - H_gg`` singular; the Moore-Penrose inverse
    square root is used then, as Pustejovsky & Tipton (2018) prescribe."""
    m = cluster_moments(resid, X, clusters, weights)
    bread = m.bread()
    adjusted = m.cr2_scores(m.xty, m.cr2_parts(bread))
    return np.asarray(bread @ (adjusted.T @ adjusted) @ bread, dtype=np.float64)


def bm_degrees_of_freedom(
    bread: FloatArray, contrast: FloatArray, xax1: ClusterBlocks, xax2: ClusterBlocks
) -> float:
    """Bell-McCaffrey degrees of freedom of the CR2 t-test of ``contrast'beta``.

    ``df = tr(M)^2 / tr(M^2)`` with ``M[g,h] = u_g'(I - H)_{gh} u_h`` and ``u_g = A_g X_g B c``
    (Imbens & Kolesar 2016, eq. 8; Pustejovsky & Tipton 2018, working model ``Phi = I``):
    ``M = diag(c'B X_g'A_g^2 X_g B c) - W'BW`` with ``W_g = X_g'A_g X_g B c``; ``xax1`` and
    ``xax2`` are the per-cluster ``X_g'A_g X_g`` and ``X_g'A_g^2 X_g``.

    ``nan`` when ``sum_g u_g'u_g`` vanishes (below ``1e-12 c'Bc``): every cluster that informs
    the contrast has leverage 1 on it (e.g. it is identified within one cluster only), so CR2
    and its test are undefined; :class:`ClusterFit` then reports ``se_cr2 = nan`` too."""
    bc = bread @ contrast
    w = xax1.times(bc)
    diag = xax2.quadratic(bc)
    if float(diag.sum()) <= _DEGENERATE * float(contrast @ bc):
        return math.nan  # no cluster leaves the contrast any leverage: CR2 is undefined
    m = np.diag(diag) - w @ bread @ w.T
    trace = float(np.trace(m))
    return trace**2 / float(np.sum(m * m))


class ClusterFit:
    """A weighted least-squares fit from cluster moments, with what every contrast's CR1, CR2,
    Bell-McCaffrey and bootstrap inference shares computed once."""

    def __init__(self, moments: ClusterMoments, names: Sequence[str] | None = None) -> None:
        self.moments = moments
        self.bread = moments.bread(names)
        self.beta = moments.beta(self.bread)
        self.scores = moments.scores(self.beta)
        parts = moments.cr2_parts(self.bread)
        self.parts = parts
        self.adjusted = moments.cr2_scores(self.scores, parts)
        self.xax1 = moments.xax(parts, 1)
        self.xax2 = moments.xax(parts, 2)
        self.vcov_cr1 = moments.cr1(self.bread, self.scores)

    def estimate(
        self,
        contrast: FloatArray,
        name: str,
        *,
        wild: bool = True,
        draws: Draws = "webb",
        reps: int = 9999,
        seed: int = 0,
        restricted: bool = True,
    ) -> ClusterEstimate:
        """A :class:`ClusterEstimate` of ``contrast'beta`` (``restricted``: WCR, else WCU)."""
        g = self.moments.n_clusters
        est = float(contrast @ self.beta)
        se1 = math.sqrt(max(float(contrast @ self.vcov_cr1 @ contrast), 0.0))
        df_bm = bm_degrees_of_freedom(self.bread, contrast, self.xax1, self.xax2)
        se2 = math.sqrt(max(float(np.sum((self.adjusted @ (self.bread @ contrast)) ** 2)), 0.0))
        if math.isnan(df_bm):
            se2 = math.nan
        test = None
        if wild:
            test = wild_contrast(
                self.moments,
                self.bread,
                contrast,
                draws=draws,
                reps=reps,
                restricted=restricted,
                seed=seed,
            )
        return ClusterEstimate(
            name=name,
            estimate=est,
            se_cr1=se1,
            se_cr2=se2,
            df=g - 1,
            p_cr2=_t_p(est, se2, df_bm),
            wild=test,
            n_clusters=g,
            n_obs=self.moments.n_obs,
            df_bm=df_bm,
            p_cr1=_t_p(est, se1, g - 1),
        )

    def replicate_tests(self, contrast: FloatArray, xty: FloatArray) -> ReplicateTests:
        """The CR2 test of ``contrast'beta`` for R outcome vectors on this fit's design, given
        their per-cluster ``X_g'W_g y_g`` as ``xty`` (G x K x R).

        Only ``X'Wy`` changes between vectors, so with ``b = B c`` each cluster's CR2-adjusted
        score along the contrast is ``q_g'(d_g - C_g beta)`` with the fixed ``q_g = b + right_g'
        ((f_g - 1) left_g' b)`` (:meth:`ClusterMoments.cr2_parts`), and the standard error is
        the root of their sum of squares: the same numbers :meth:`estimate` gives vector by
        vector, at the cost of a few matrix products."""
        bc = self.bread @ contrast
        q = np.tile(bc, (len(self.parts), 1))
        for g, (index, left, right, f) in enumerate(self.parts):
            q[g, index] += right.T @ ((f - 1.0) * (left.T @ bc[index]))
        beta = self.bread @ xty.sum(axis=0)  # K x R
        scores = xty - self.moments.xtx.times(beta)  # G x K x R
        u = np.einsum("gk,gkr->gr", q, scores)
        df_bm = bm_degrees_of_freedom(self.bread, contrast, self.xax1, self.xax2)
        est = np.asarray(contrast @ beta, dtype=np.float64)
        se = np.sqrt(np.maximum((u**2).sum(axis=0), 0.0))
        if math.isnan(df_bm):
            se = np.full_like(est, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(est / se)
        ok = (se > 0) & (df_bm > 0) & math.isfinite(df_bm)
        p = np.where(ok, 2 * stats.t.sf(np.where(ok, t, 0.0), df_bm if ok.any() else 1.0), np.nan)
        return ReplicateTests(est, se, np.asarray(p, dtype=np.float64), df_bm)


def wild_contrast(
    moments: ClusterMoments,
    bread: FloatArray,
    contrast: FloatArray,
    *,
    draws: Draws = "rademacher",
    reps: int = 9999,
    restricted: bool = True,
    seed: int = 0,
) -> WildBootstrap:
    """Wild cluster bootstrap test of ``contrast'beta = 0`` from cluster moments.

    The restricted fit (WCR) is ``beta~ = beta - B c (c'Bc)^{-1} c'beta``, the least-squares
    fit under the null."""
    beta = moments.beta(bread)
    scores = moments.scores(beta)
    bc = bread @ contrast
    t_stat = _t_cr1(moments, bread, scores, contrast, beta)
    boot_scores = scores
    if restricted:
        tilde = beta - bc * (float(contrast @ beta) / float(contrast @ bc))
        boot_scores = moments.scores(tilde)
    v, enumerated = draw_weights(moments.n_clusters, draws, reps, seed)
    t_boot = bootstrap_t(moments, bread, boot_scores, contrast, v)
    return WildBootstrap(
        t_stat=t_stat,
        p_value=symmetric_p_value(t_stat, t_boot),
        reps=int(v.shape[1]),
        draws=draws,
        restricted=restricted,
        n_clusters=moments.n_clusters,
        enumerated=enumerated,
    )


def _t_cr1(
    moments: ClusterMoments,
    bread: FloatArray,
    scores: FloatArray,
    contrast: FloatArray,
    beta: FloatArray,
) -> float:
    var = moments.cr1_factor() * float(np.sum((scores @ (bread @ contrast)) ** 2))
    return float(contrast @ beta) / math.sqrt(var) if var > 0 else math.nan


def wild_cluster_bootstrap(
    y: npt.ArrayLike,
    X: npt.ArrayLike,  # noqa: N803 (the design matrix, named as in the literature)
    clusters: npt.ArrayLike,
    column: int,
    *,
    weights: npt.ArrayLike | None = None,
    draws: Draws = "rademacher",
    reps: int = 9999,
    restricted: bool = True,
    seed: int = 0,
) -> WildBootstrap:
    """Wild cluster bootstrap test that coefficient ``column`` of the regression of ``y`` on
    ``X`` is zero (WCR by default), with clusters ``clusters`` and optional WLS ``weights``.

    Matches ``wildboottest`` 0.3.2 (``bootstrap_type="11"``, ``impose_null=True``) within Monte
    Carlo error; see :func:`~csceval.impact.wild_bootstrap.symmetric_p_value` for the one
    difference in counting ties."""
    m = cluster_moments(y, X, clusters, weights)
    k = m.n_params
    if not 0 <= column < k:
        raise estimator_problem(f"column must be between 0 and {k - 1}", value=str(column))
    return wild_contrast(
        m, m.bread(), np.eye(k)[column], draws=draws, reps=reps, restricted=restricted, seed=seed
    )


def _t_p(estimate: float, se: float, df: float) -> float:
    if not (se > 0 and df > 0 and math.isfinite(df)):
        return math.nan
    return float(2 * stats.t.sf(abs(estimate / se), df))


def cluster_ols(
    y: npt.ArrayLike,
    X: npt.ArrayLike,  # noqa: N803 (the design matrix, named as in the literature)
    clusters: npt.ArrayLike,
    *,
    names: Sequence[str],
    test: Sequence[str],
    weights: npt.ArrayLike | None = None,
    wild: bool = True,
    draws: Draws = "webb",
    reps: int = 9999,
    seed: int = 0,
) -> list[ClusterEstimate]:
    """(Weighted) OLS of ``y`` on ``X`` (columns ``names``) with few-cluster inference for the
    coefficients named in ``test``: CR1 and CR2 standard errors, the CR2 t-test with
    Bell-McCaffrey degrees of freedom, and (``wild=True``) the restricted wild cluster bootstrap
    with ``draws`` weights. Webb weights are the default because with fewer than about 12
    clusters Rademacher draws have too few distinct values (MacKinnon & Webb 2018)."""
    m = cluster_moments(y, X, clusters, weights)
    if len(names) != m.n_params:
        raise estimator_problem(f"names has {len(names)} entries but X has {m.n_params} columns")
    unknown = [t for t in test if t not in names]
    if unknown:
        raise estimator_problem("test names coefficients not in names", value=", ".join(unknown))
    fit = ClusterFit(m, names)
    eye = np.eye(m.n_params)
    return [
        fit.estimate(eye[list(names).index(t)], t, wild=wild, draws=draws, reps=reps, seed=seed)
        for t in test
    ]
