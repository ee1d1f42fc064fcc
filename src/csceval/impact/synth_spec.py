"""How a synthetic control is specified: the outcome, the predictors and the predictor weights V.

A :class:`SynthSpec` says which outcome to match on and how (predictors, predictor weights V,
windows); a :class:`Predictor` is the mean of one variable over a window of years.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

VMethod = Literal["nested", "regression", "equal", "custom"]
V_METHODS: tuple[str, ...] = ("nested", "regression", "equal", "custom")


@dataclass(frozen=True)
class Predictor:
    """One predictor: the mean of ``variable`` over the years ``start`` to ``end`` inclusive.

    ``Predictor("cigsale", 1975)`` is the value in 1975; ``Predictor("beer", 1984, 1988)`` the
    1984-88 average.
    """

    variable: str
    start: int
    end: int | None = None

    @property
    def last(self) -> int:
        """The last year of the window."""
        return self.start if self.end is None else self.end

    @property
    def label(self) -> str:
        """A readable name, e.g. ``"beer[1984-1988]"`` or ``"cigsale[1975]"``."""
        if self.last == self.start:
            return f"{self.variable}[{self.start}]"
        return f"{self.variable}[{self.start}-{self.last}]"

    def shifted(self, by: int) -> Predictor:
        """The same predictor with its window moved by ``by`` years."""
        return Predictor(self.variable, self.start + by, self.last + by)


@dataclass(frozen=True)
class SynthSpec:
    """How a synthetic control is specified.

    Parameters
    ----------
    outcome
        The outcome variable.
    predictors
        Predictors to match on. Empty (the default) means every pre-period value of the
        outcome, i.e. outcome-only synthetic control.
    v_method
        Predictor weights: ``"nested"`` (R ``Synth``'s outer optimisation of the pre-period
        outcome MSPE), ``"regression"`` (R ``Synth``'s regression-based starting V, Stata
        ``synth``'s default; no outer loop), ``"equal"`` (equal weights on the standardised
        predictors, i.e. inverse-variance weights on the raw ones) or ``"custom"``.
    custom_v
        The weights for ``v_method="custom"``, one per predictor (normalised to sum to one).
    optimize_window
        ``(first, last)`` years of the outer-loss window of ``"nested"`` and of the
        regression behind ``"regression"``; default every pre-period year.
    standardize
        Divide each predictor by its standard deviation across the fit's units before
        weighting, as R ``Synth`` does. ``None`` (default): standardise when ``predictors``
        are given, not for the default outcome-only predictors (all in the outcome's units).
    nested_multistart
        For ``"nested"``: besides R ``Synth``'s two starts (equal and regression-based V),
        also start from each unit vector (all weight on one predictor).
    demean
        Subtract each unit's mean pre-period outcome before fitting (the demeaned synthetic
        control of Doudchenko & Imbens 2016 and Ferman & Pinto 2021): the weights match the
        path, not the level, so a treated unit outside the donors' range of levels (the lowest
        rates in England, say) is not fitted with a bias, and the effect is the post-period gap
        minus the pre-period gap, as in difference-in-differences. Predictors built from the
        outcome use the demeaned values; reported paths are in levels.
    """

    outcome: str
    predictors: tuple[Predictor, ...] = ()
    v_method: VMethod = "regression"
    custom_v: tuple[float, ...] | None = None
    optimize_window: tuple[int, int] | None = None
    standardize: bool | None = None
    nested_multistart: bool = False
    demean: bool = False

    def __post_init__(self) -> None:
        if self.v_method not in V_METHODS:
            raise ValueError(f"v_method must be one of {V_METHODS}, got {self.v_method!r}")
        if self.v_method == "custom":
            if self.custom_v is None:
                raise ValueError('v_method="custom" needs custom_v (one weight per predictor)')
            cv = np.asarray(self.custom_v, dtype=np.float64)
            if not (np.isfinite(cv).all() and (cv >= 0).all() and cv.sum() > 0):
                raise ValueError("custom_v must be non-negative, finite and not all zero")
