"""Shared machinery for the categorical agreement coefficients (Gwet 2014 notation).

Ratings are summarised per unit as ``r_ik``, the number of raters who put unit ``i`` in category
``k``. Weighted observed agreement, category propensities and the linearised variance used by
percent agreement, Fleiss' kappa and Gwet's AC1/AC2 all come from these counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import stats

from csceval.reliability.result import FloatArray, fmt

WEIGHT_SCHEMES = ("unweighted", "linear", "quadratic")


def weights_name(weights: str | None) -> str:
    """Normalise a weights argument (``None`` and ``"identity"`` mean unweighted)."""
    if weights is None or weights in ("unweighted", "identity"):
        return "unweighted"
    if weights in WEIGHT_SCHEMES:
        return weights
    raise ValueError(
        f"unknown weights {weights!r}; allowed: None, {', '.join(repr(w) for w in WEIGHT_SCHEMES)}"
    )


def resolve_categories(matrix: FloatArray, categories: object | None) -> FloatArray:
    """The sorted category values: the observed ones, or ``categories`` if given.

    Raises
    ------
    ValueError
        If ``categories`` repeats a value or misses an observed rating.
    """
    observed = np.unique(matrix[~np.isnan(matrix)])
    if categories is None:
        return observed
    cats = np.sort(np.asarray(categories, dtype=np.float64).ravel())
    if np.unique(cats).size != cats.size or not np.all(np.isfinite(cats)):
        raise ValueError("categories must be distinct finite numbers")
    unknown = np.setdiff1d(observed, cats)
    if unknown.size:
        raise ValueError(f"rating {unknown[0]:g} is not one of the categories {cats.tolist()}")
    return cats


def weight_matrix(categories: FloatArray, scheme: str) -> FloatArray:
    """Agreement weights ``w_kl`` on the category values (Gwet 2014, ch. 3; irrCAC ``Weights``).

    Notes
    -----
    linear ``w_kl = 1 - |c_k - c_l| / (c_max - c_min)``; quadratic
    ``w_kl = 1 - (c_k - c_l)^2 / (c_max - c_min)^2``. With categories 1..q these equal Cohen's
    (1968) ``1 - |i - j|/(q - 1)`` and ``1 - (i - j)^2/(q - 1)^2``.
    """
    q = categories.size
    if scheme == "unweighted" or q < 2:
        return np.eye(q)
    span = float(categories[-1] - categories[0])
    diff = np.abs(categories[:, None] - categories[None, :]) / span
    return np.asarray(1.0 - diff if scheme == "linear" else 1.0 - diff**2, dtype=np.float64)


def weights_note(scheme: str) -> str:
    """One sentence naming the weights used."""
    if scheme == "unweighted":
        return "unweighted (identity weights: only exact category matches count as agreement)"
    form = "|c_k - c_l|" if scheme == "linear" else "(c_k - c_l)^2"
    span = "(c_max - c_min)" if scheme == "linear" else "(c_max - c_min)^2"
    return f"{scheme} agreement weights w_kl = 1 - {form}/{span} on the numeric category values"


def category_counts(matrix: FloatArray, categories: FloatArray) -> FloatArray:
    """``r_ik``: units x categories counts of ratings."""
    hits = matrix[:, :, None] == categories[None, None, :]
    return np.asarray(hits.sum(axis=1), dtype=np.float64)


@dataclass(frozen=True)
class CategoricalData:
    """Unit-level counts for the units with at least one rating."""

    counts: FloatArray
    categories: FloatArray
    weights: FloatArray
    scheme: str
    n_raters: int
    n_empty: int

    @classmethod
    def build(
        cls, matrix: FloatArray, categories: object | None, weights: str | None
    ) -> CategoricalData:
        scheme = weights_name(weights)
        cats = resolve_categories(matrix, categories)
        counts = category_counts(matrix, cats)
        rated = counts.sum(axis=1) > 0
        return cls(
            counts=counts[rated],
            categories=cats,
            weights=weight_matrix(cats, scheme),
            scheme=scheme,
            n_raters=matrix.shape[1],
            n_empty=int((~rated).sum()),
        )

    @property
    def n_units(self) -> int:
        return int(self.counts.shape[0])

    @property
    def q(self) -> int:
        return int(self.categories.size)

    @cached_property
    def per_unit_raters(self) -> FloatArray:
        return np.asarray(self.counts.sum(axis=1), dtype=np.float64)

    @cached_property
    def pairable(self) -> FloatArray:
        """1.0 for units with at least two ratings, else 0.0."""
        return (self.per_unit_raters >= 2).astype(np.float64)

    @cached_property
    def unit_agreement(self) -> FloatArray:
        """``sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))``, 0 for units with one rating."""
        r = self.per_unit_raters
        weighted = self.counts @ self.weights.T
        num = (self.counts * (weighted - 1.0)).sum(axis=1)
        den = np.where(r >= 2, r * (r - 1.0), 1.0)
        return np.asarray(np.where(r >= 2, num / den, 0.0), dtype=np.float64)

    def observed(self, w: FloatArray) -> FloatArray:
        """Weighted observed agreement ``p_a`` under unit frequency weights ``w`` (B x n)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(
                (w @ (self.unit_agreement * self.pairable)) / (w @ self.pairable), dtype=np.float64
            )

    def propensities(self, w: FloatArray) -> FloatArray:
        """``pi_k = (1/n) sum_i r_ik / r_i`` under unit weights ``w``; shape (B, q)."""
        shares = self.counts / self.per_unit_raters[:, None]
        return np.asarray((w @ shares) / w.sum(axis=1, keepdims=True), dtype=np.float64)

    def notes(
        self, singles: str = "add to category propensities but not to observed agreement"
    ) -> list[str]:
        """Notes on weights, categories and missing-data handling."""
        out = [
            weights_note(self.scheme),
            f"categories: {self.q} ({', '.join(fmt(c) for c in self.categories)})",
        ]
        n_single = int((self.pairable == 0).sum())
        if self.n_empty:
            out.append(f"{self.n_empty} unit(s) with no ratings dropped")
        if n_single:
            out.append(
                f"missing ratings: {n_single} unit(s) with a single rating {singles} (Gwet 2014)"
            )
        return out


class CohenTable:
    """Two-rater cross-classification, vectorised over unit frequency weights."""

    def __init__(self, matrix: FloatArray, categories: object | None, weights: str | None):
        if matrix.shape[1] != 2:
            raise ValueError(
                f"Cohen's kappa needs exactly 2 raters (columns); got {matrix.shape[1]}. "
                "Use 'fleiss', 'gwet' or 'krippendorff' for more raters"
            )
        complete = ~np.isnan(matrix).any(axis=1)
        self.n_dropped = int((~complete).sum())
        pairs = matrix[complete]
        self.scheme = weights_name(weights)
        self.categories = resolve_categories(matrix, categories)
        self.q = int(self.categories.size)
        self.w = weight_matrix(self.categories, self.scheme)
        a = np.searchsorted(self.categories, pairs[:, 0])
        b = np.searchsorted(self.categories, pairs[:, 1])
        self.cells = np.zeros((pairs.shape[0], self.q * self.q))
        self.cells[np.arange(pairs.shape[0]), a * self.q + b] = 1.0
        self.n_units = int(pairs.shape[0])

    def components(self, w: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Weighted observed and chance agreement ``(p_o, p_e)``, each of shape (B,)."""
        q = self.q
        p = (w @ self.cells).reshape(-1, q, q) / w.sum(axis=1)[:, None, None]
        po = np.einsum("bij,ij->b", p, self.w)
        pe = np.einsum("bi,bj,ij->b", p.sum(axis=2), p.sum(axis=1), self.w)
        return np.asarray(po, dtype=np.float64), np.asarray(pe, dtype=np.float64)

    def __call__(self, w: FloatArray) -> FloatArray:
        po, pe = self.components(w)
        return undefined_where(po - pe, 1.0 - pe)


def undefined_where(num: FloatArray, den: FloatArray) -> FloatArray:
    """``num / den`` with ``nan`` where ``|den|`` is (numerically) zero."""
    ok = np.abs(den) > 1e-12
    return np.asarray(np.where(ok, num / np.where(ok, den, 1.0), np.nan), dtype=np.float64)


def linearised_interval(
    data: CategoricalData,
    coef: float,
    pe: float,
    unit_pe: FloatArray,
    confidence: float,
) -> tuple[float, float, float]:
    """Gwet's (2008; 2014 sec. 5.4) linearisation variance and t interval for AC1/AC2 and kappa.

    Returns
    -------
    tuple
        ``(se, low, high)``; the upper bound is capped at 1 (as in irrCAC and R irrCAC).

    Notes
    -----
    ``c_i = (n/n2) (p_a|i - p_e [r_i >= 2]) / (1 - p_e)``,
    ``c*_i = c_i - 2 (1 - c) (p_e|i - p_e) / (1 - p_e)``,
    ``var = sum_i (c*_i - c)^2 / (n (n - 1))`` (no finite-population correction), with a t
    distribution on ``n - 1`` degrees of freedom.
    """
    n = data.n_units
    n2 = float(data.pairable.sum())
    unit_coef = (n / n2) * (data.unit_agreement - pe * data.pairable) / (1.0 - pe)
    adjusted = unit_coef - 2.0 * (1.0 - coef) * (unit_pe - pe) / (1.0 - pe)
    var = float(((adjusted - coef) ** 2).sum() / (n * (n - 1.0)))
    se = float(np.sqrt(var))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * se
    return se, coef - half, min(1.0, coef + half)
