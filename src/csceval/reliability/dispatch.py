"""One entry point, :func:`compute`, that picks a statistic by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from csceval.reliability._categorical import WEIGHT_SCHEMES
from csceval.reliability.agreement import cohen_kappa, fleiss_kappa, percent_agreement
from csceval.reliability.consistency import cronbach_alpha
from csceval.reliability.gwet import gwet_ac
from csceval.reliability.icc import ICC_FORMS, icc
from csceval.reliability.krippendorff import krippendorff_alpha
from csceval.reliability.layout import as_matrix
from csceval.reliability.result import LEVELS, ReliabilityResult

__all__ = ["CI_METHODS", "METHODS", "compute"]

METHODS = (
    "percent_agreement",
    "cohen",
    "fleiss",
    "krippendorff",
    "gwet",
    *ICC_FORMS,
    "cronbach",
)
"""Method names accepted by :func:`compute`."""

CI_METHODS = ("bootstrap", "analytic")
"""Interval methods: ``"analytic"`` is F-based for ICCs (McGraw & Wong 1996) and Cronbach's alpha
(Feldt 1965) and Gwet's linearisation for ``"gwet"`` and ``"fleiss"``."""

_WEIGHTED = ("percent_agreement", "cohen", "fleiss", "gwet")
_ANALYTIC_DEFAULT = (*ICC_FORMS, "cronbach")
_NUMERIC_LEVELS = (None, "interval", "ratio")


def _choices(values: tuple[object, ...]) -> str:
    return ", ".join(repr(v) for v in values)


def compute(
    matrix: object,
    method: str,
    level: str | None = None,
    weights: str | None = None,
    ci: bool = False,
    n_boot: int = 1000,
    seed: int = 0,
    *,
    ci_method: str | None = None,
    confidence: float = 0.95,
    categories: object | None = None,
) -> ReliabilityResult:
    """Compute one reliability statistic of a units x raters matrix.

    Parameters
    ----------
    matrix
        Units (rows) x raters (columns); ``nan`` marks a missing rating. For ``"cronbach"`` the
        columns are items.
    method
        One of :data:`METHODS`: ``"percent_agreement"``, ``"cohen"``, ``"fleiss"``,
        ``"krippendorff"``, ``"gwet"``, ``"icc1"``, ``"icc2"``, ``"icc3"``, ``"icc1k"``,
        ``"icc2k"``, ``"icc3k"``, ``"cronbach"``.
    level
        Level of measurement: ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.
        Selects Krippendorff's difference function (default ``"nominal"``, noted); ICCs and
        Cronbach's alpha accept only ``"interval"``/``"ratio"``; the categorical coefficients
        record it.
    weights
        ``None``/``"unweighted"``, ``"linear"`` or ``"quadratic"`` for percent agreement, Cohen,
        Fleiss and Gwet (AC2); must be ``None`` for the other methods.
    ci
        Whether to add a confidence interval.
    n_boot, seed
        Bootstrap resamples and seed (the same seed gives the same interval).
    ci_method
        ``None`` (default: F-based for ICCs and Cronbach, bootstrap otherwise), ``"bootstrap"``
        or ``"analytic"``.
    confidence
        Confidence level of the interval.
    categories
        Full list of category values for the categorical coefficients (default: observed).

    Raises
    ------
    ValueError
        For an unknown method, level, weights or ci_method (listing the allowed values), or a
        combination the method cannot honour.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {_choices(METHODS)}")
    if level is not None and level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; allowed: None, {_choices(LEVELS)}")
    if weights is not None and weights not in (*WEIGHT_SCHEMES, "identity"):
        raise ValueError(f"unknown weights {weights!r}; allowed: None, {_choices(WEIGHT_SCHEMES)}")
    if ci_method is not None and ci_method not in CI_METHODS:
        raise ValueError(f"unknown ci_method {ci_method!r}; allowed: None, {_choices(CI_METHODS)}")
    if weights not in (None, "unweighted", "identity") and method not in _WEIGHTED:
        raise ValueError(
            f"weights do not apply to method {method!r}; they apply to {_choices(_WEIGHTED)}"
        )
    ratings = as_matrix(matrix)
    boot: dict[str, Any] = {"ci": ci, "n_boot": n_boot, "seed": seed, "confidence": confidence}
    analytic = ci_method == "analytic" or (ci_method is None and method in _ANALYTIC_DEFAULT)
    if ci and analytic and method not in (*_ANALYTIC_DEFAULT, "gwet", "fleiss"):
        raise ValueError(
            f"no analytic interval for method {method!r}; use ci_method='bootstrap' "
            f"(analytic intervals exist for {_choices((*_ANALYTIC_DEFAULT, 'gwet', 'fleiss'))})"
        )

    if method in ICC_FORMS or method == "cronbach":
        if level not in _NUMERIC_LEVELS:
            raise ValueError(
                f"method {method!r} needs interval or ratio data; level {level!r} is not allowed "
                f"(allowed: {_choices(_NUMERIC_LEVELS)})"
            )
        if method == "cronbach":
            res = cronbach_alpha(ratings, ci_method="feldt" if analytic else "bootstrap", **boot)
        else:
            res = icc(ratings, method, ci_method="F" if analytic else "bootstrap", **boot)
        return res if level is None else replace(res, level=level)

    if method == "krippendorff":
        chosen = level or "nominal"
        res = krippendorff_alpha(ratings, level=chosen, categories=categories, **boot)
        if level is None:
            res = res.with_notes("level not given: nominal assumed")
        return res

    categorical: dict[str, Callable[..., ReliabilityResult]] = {
        "percent_agreement": percent_agreement,
        "cohen": cohen_kappa,
        "fleiss": fleiss_kappa,
        "gwet": gwet_ac,
    }
    options: dict[str, Any] = {"weights": weights, "categories": categories, **boot}
    if method in ("fleiss", "gwet"):
        options["ci_method"] = "analytic" if analytic else "bootstrap"
    res = categorical[method](ratings, **options)
    if level is not None and level != res.level:
        res = replace(res, level=level).with_notes(
            f"level {level!r} recorded; the coefficient compares category codes "
            "(exact matches, or partial credit through the weights)"
        )
    return res
