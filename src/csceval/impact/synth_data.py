"""Panel data, specification and design matrices for synthetic control.

A :class:`SynthPanel` holds one ``times x units`` matrix per variable; a :class:`SynthSpec`
says which outcome to match on and how (predictors, predictor weights V, windows). From the two,
a treated unit and a treatment time, :func:`build_design` validates the input, drops donors that
cannot be used (with a note) and computes the predictor matrix shared by the fit and its
placebos.

Notes
-----
Times must be integer periods (years); float values that are whole numbers (``1970.0``) are
converted. Unit labels are converted to ``str``. Predictors are means over a window of years,
ignoring missing values (as R ``Synth``'s ``mean(na.rm = TRUE)``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

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


@dataclass(frozen=True, eq=False)
class SynthPanel:
    """A balanced ``times x units`` matrix per variable (missing values as NaN)."""

    units: tuple[str, ...]
    times: tuple[int, ...]
    values: Mapping[str, FloatArray] = field(repr=False)

    def __post_init__(self) -> None:
        if len(set(self.units)) != len(self.units):
            raise ValueError("unit labels are not unique")
        if list(self.times) != sorted(set(self.times)):
            raise ValueError("times must be strictly increasing")
        shape = (len(self.times), len(self.units))
        for name, arr in self.values.items():
            if arr.shape != shape:
                raise ValueError(f"variable {name!r} has shape {arr.shape}, expected {shape}")

    @classmethod
    def from_long(
        cls,
        data: pd.DataFrame,
        *,
        unit: str,
        time: str,
        variables: Sequence[str] | None = None,
    ) -> SynthPanel:
        """Build a panel from a long table with one row per unit and time.

        Parameters
        ----------
        data
            The long table.
        unit, time
            Column names of the unit label and the (integer) time period.
        variables
            Columns to keep; default every numeric column other than ``unit`` and ``time``.

        Raises
        ------
        ValueError
            If a column is missing, a (unit, time) pair repeats or a time is not a whole
            number.
        """
        missing = [c for c in (unit, time, *(variables or ())) if c not in data.columns]
        if missing:
            raise ValueError(f"columns not in the data: {missing}")
        if variables is None:
            variables = [
                c
                for c in data.columns
                if c not in (unit, time) and pd.api.types.is_numeric_dtype(data[c])
            ]
        if data.duplicated([unit, time]).any():
            dup = data.loc[data.duplicated([unit, time]), [unit, time]].iloc[0].tolist()
            raise ValueError(f"(unit, time) pairs repeat, e.g. {dup}")
        t_raw = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=np.float64)
        if not np.isfinite(t_raw).all() or (t_raw != np.round(t_raw)).any():
            raise ValueError(f"column {time!r} must hold whole-number periods (e.g. years)")
        frame = data.copy()
        frame[time] = t_raw.astype(np.int64)
        frame[unit] = data[unit].astype(str)
        units = tuple(sorted(frame[unit].unique()))
        times = tuple(int(t) for t in sorted(frame[time].unique()))
        values: dict[str, FloatArray] = {}
        for var in variables:
            wide = frame.pivot(index=time, columns=unit, values=var)
            wide = wide.reindex(index=list(times), columns=list(units))
            values[var] = wide.to_numpy(dtype=np.float64)
        return cls(units=units, times=times, values=values)

    def index_of(self, unit: object) -> int:
        """Column index of ``unit``; ``ValueError`` if it is not in the panel."""
        try:
            return self.units.index(str(unit))
        except ValueError:
            raise ValueError(f"unit {unit!r} is not in the panel") from None

    def variable(self, name: str) -> FloatArray:
        """The ``times x units`` matrix of ``name``; ``ValueError`` if absent."""
        if name not in self.values:
            raise ValueError(f"variable {name!r} is not in the panel ({sorted(self.values)})")
        return self.values[name]

    def truncated(self, before: int) -> SynthPanel:
        """The panel restricted to times strictly before ``before``."""
        keep = [i for i, t in enumerate(self.times) if t < before]
        return SynthPanel(
            units=self.units,
            times=tuple(self.times[i] for i in keep),
            values={k: v[keep] for k, v in self.values.items()},
        )


def positive_log(values: npt.ArrayLike) -> FloatArray:
    """Natural logs of the positive values; NaN where a value is zero, negative or missing (a
    rate of zero has no log, so the analyses on the log scale treat it as missing)."""
    x = np.asarray(values, dtype=np.float64)
    out = np.full(x.shape, np.nan)
    positive = x > 0
    out[positive] = np.log(x[positive])
    return out


def latest_span(years: Sequence[int]) -> list[int]:
    """The last run of consecutive years among ``years`` (the years in which any unit has a value).

    A series interrupted by years nobody published (CLA rates: 2010, then 2013 on, where the
    mid-year populations were not in the files) is analysed over its latest unbroken run, so the
    missing years do not leave every unit incomplete.
    """
    ordered = sorted({int(y) for y in years})
    if not ordered:
        return []
    start = len(ordered) - 1
    while start > 0 and ordered[start - 1] == ordered[start] - 1:
        start -= 1
    return ordered[start:]


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
    labels, x = _predictors(panel, spec, pre, treatment_time)
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
    panel: SynthPanel, spec: SynthSpec, pre: IntArray, treatment_time: int
) -> tuple[tuple[str, ...], FloatArray]:
    y = panel.variable(spec.outcome)
    if not spec.predictors:
        labels = tuple(f"{spec.outcome}[{panel.times[i]}]" for i in pre)
        return labels, y[pre].copy()
    times = np.asarray(panel.times)
    rows = []
    for p in spec.predictors:
        if p.last < p.start:
            raise ValueError(f"predictor {p.label}: the window ends before it starts")
        if p.last >= treatment_time:
            raise ValueError(
                f"predictor {p.label} uses data from the treatment period (starts "
                f"{treatment_time}); predictors must be measured before treatment"
            )
        window = np.flatnonzero((times >= p.start) & (times <= p.last))
        if window.size == 0:
            raise ValueError(f"predictor {p.label}: no panel year falls in the window")
        vals = panel.variable(p.variable)[window]
        counts = np.isfinite(vals).sum(axis=0)
        sums = np.where(np.isfinite(vals), vals, 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            rows.append(np.where(counts > 0, sums / np.maximum(counts, 1), np.nan))
    return tuple(p.label for p in spec.predictors), np.vstack(rows)
