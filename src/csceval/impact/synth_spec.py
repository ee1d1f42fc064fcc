"""How a synthetic control is specified: the outcome, the predictors and the predictor weights V.

A :class:`SynthSpec` says which outcome to match on and how (predictors, predictor weights V,
windows); a :class:`Predictor` is the mean of one variable over a window of years.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

VMethod = Literal["nested", "regression", "equal", "custom"]
V_METHODS: tuple[str, ...] = ("nested", "regression", "equal", "custom")


@dataclass(frozen=True)
class Predictor:
    """One predictor: the mean of ``variable`` over the years ``start`` to ``end`` inclusive.

    ``Predictor("cigsale", 1975)`` is the value in 1975; ``Predictor("beer", 1984, 1988)`` the
    1984-88 average. A *special predictor* (R ``Synth``'s ``special.predictors``) is the mean over
    named years only: ``Predictor.over("sec.energy", (1961, 1963, 1965, 1967, 1969))``, or
    ``Predictor("schooling", 1980, 1985, years=(1980, 1985))``.
    """

    variable: str
    start: int
    end: int | None = None
    years: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if self.years is not None:
            years = tuple(sorted({int(y) for y in self.years}))
            if not years:
                raise ValueError(f"predictor {self.variable}: no years given")
            object.__setattr__(self, "years", years)
            object.__setattr__(self, "start", years[0])
            object.__setattr__(self, "end", years[-1] if len(years) > 1 else None)

    @classmethod
    def over(cls, variable: str, years: Iterable[int]) -> Predictor:
        """The mean of ``variable`` over the named ``years`` (a special predictor)."""
        ys = tuple(sorted({int(y) for y in years}))
        if not ys:
            raise ValueError(f"predictor {variable}: no years given")
        return cls(variable, ys[0], ys[-1] if len(ys) > 1 else None, years=ys)

    @property
    def last(self) -> int:
        """The last year of the window."""
        return self.start if self.end is None else self.end

    @property
    def label(self) -> str:
        """A readable name: ``"beer[1984-1988]"``, ``"cigsale[1975]"`` or ``"x[1980,1985]"``."""
        if self.years is not None and len(self.years) != self.last - self.start + 1:
            return f"{self.variable}[{','.join(str(y) for y in self.years)}]"
        if self.last == self.start:
            return f"{self.variable}[{self.start}]"
        return f"{self.variable}[{self.start}-{self.last}]"

    def in_window(self, times: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Which of ``times`` the predictor averages over."""
        if self.years is not None:
            out: npt.NDArray[np.bool_] = np.isin(times, self.years)
            return out
        inside: npt.NDArray[np.bool_] = (times >= self.start) & (times <= self.last)
        return inside

    def shifted(self, by: int) -> Predictor:
        """The same predictor with its window moved by ``by`` years."""
        if self.years is not None:
            return Predictor.over(self.variable, (y + by for y in self.years))
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
        For ``"nested"`` (default on): besides R ``Synth``'s two starts (equal and
        regression-based V), also start from each unit vector (all weight on one predictor)
        and from ``v_starts`` random V; the start reaching the lowest loss is kept. Off gives
        R ``Synth``'s two starts only (the default before issue 23).
    v_starts
        Random starting V for ``"nested"`` with ``nested_multistart`` (flat Dirichlet draws,
        the same for every problem of a batch, so a fit does not depend on its batch).
    v_seed
        Seed of those draws: the nested search is deterministic for a seed.
    allow_post_predictors
        Let predictor windows reach the treatment period (as R ``Synth``'s ``dataprep``
        allows; ADH 2015 average predictors over 1981-1990 with treatment in 1990). Off, such a
        window is refused; on, it is used with a ``UserWarning`` and a note, since a predictor
        measured after the start can absorb part of the effect.
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
    nested_multistart: bool = True
    demean: bool = False
    v_starts: int = 5
    v_seed: int = 0
    allow_post_predictors: bool = False

    def __post_init__(self) -> None:
        if self.v_method not in V_METHODS:
            raise ValueError(f"v_method must be one of {V_METHODS}, got {self.v_method!r}")
        if self.v_method == "custom":
            if self.custom_v is None:
                raise ValueError('v_method="custom" needs custom_v (one weight per predictor)')
            cv = np.asarray(self.custom_v, dtype=np.float64)
            if not (np.isfinite(cv).all() and (cv >= 0).all() and cv.sum() > 0):
                raise ValueError("custom_v must be non-negative, finite and not all zero")
        if self.v_starts < 0:
            raise ValueError(f"v_starts must be 0 or more, got {self.v_starts}")
        if self.optimize_window is not None and self.optimize_window[0] > self.optimize_window[1]:
            raise ValueError(f"optimize_window {self.optimize_window} ends before it starts")
