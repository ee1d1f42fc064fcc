"""Inference for one treated unit: in-space and in-time placebos, leave-one-out donors.

Notes
-----
**In-space placebos** (Abadie, Diamond & Hainmueller 2010): every donor in turn is treated as
if treated at the same date, with the remaining donors (never the treated unit) as its pool and
the same specification. The statistic is the post/pre RMSPE ratio (ADH's MSPE ratio gives the
same ranks). The exact permutation p-value is
``(1 + #{placebo ratio >= treated ratio}) / (1 + n_placebos)``: ties count against the treated
unit (conservative), with a relative tolerance of 1e-12 for floating-point ties. Placebos can
be trimmed to those whose pre-RMSPE is at most ``m`` times the treated unit's
(``exclude_above``; ADH's MSPE cut-offs 20, 5 and 2 are RMSPE multiples 4.47, 2.24 and 1.41);
the untrimmed and every trimmed p-value are all reported. A p-value with ``|ATT|`` as the
statistic is reported alongside.

With ``placebo_v="refit"`` (default) each placebo chooses its own V by the specification's
method, as ADH did; ``"treated"`` imposes the treated unit's V on every placebo (much faster
with ``v_method="nested"``, but the placebos are then not treated exactly like the treated
unit).

**Perfect pre-period fits.** A unit that the donors reproduce exactly (pre-RMSPE at most
:data:`PERFECT_FIT` times the design's RMSPE floor, i.e. 1e-6 of the RMS pre-period outcome) has
an undefined ratio (``post / ~0``). With few pre-periods and many donors this is common (with
demeaning, ``k`` pre-years leave a ``k - 1``-dimensional path that the donors' convex hull often
contains). Such placebos are *excluded* from the ratio ranking (counted in ``n_perfect`` and the
notes), so they cannot make every treated unit look ordinary; a treated unit fitted exactly has
no ratio test (``p_value`` NaN, ``treated_perfect``): look at ``p_value_att`` and the pooled test.

**In-time placebo**: the treated unit is refitted with a fake, earlier treatment date on the data
before the real date only; predictor windows (and the loss window) are shifted back by the same
lag unless a specification is given.

**Leave-one-out**: each donor with positive weight is dropped in turn and the fit repeated
(V re-chosen by the specification's method), in one batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from csceval.impact.synth_data import Design, SynthPanel, SynthSpec
from csceval.impact.synth_fit import BatchFit, SynthResult, design_for, json_float, solve_batch

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

PlaceboV = Literal["refit", "treated"]
_TIE = 1e-12
PERFECT_FIT = 1e3
"""A fit is perfect when its pre-RMSPE is at most this multiple of the design's RMSPE floor."""


def _ge(values: FloatArray, ref: float) -> npt.NDArray[np.bool_]:
    """``values >= ref`` with a relative tolerance for floating-point ties."""
    out: npt.NDArray[np.bool_] = values >= ref - _TIE * abs(ref)
    return out


def permutation_p(null: FloatArray, observed: float) -> float:
    """``(1 + #{null >= observed}) / (1 + len(null))``; NaN if ``observed`` is not finite."""
    if not math.isfinite(observed):
        return math.nan
    return float((1 + np.count_nonzero(_ge(null, observed))) / (1 + null.size))


@dataclass(frozen=True)
class PlaceboExclusion:
    """The in-space p-value after dropping placebos with pre-RMSPE above ``multiple`` x treated."""

    multiple: float
    n_kept: int
    rank: int
    p_value: float


@dataclass(frozen=True, eq=False)
class PlaceboResult:
    """In-space placebo inference for one treated unit.

    Parameters
    ----------
    fit
        The treated unit's fit.
    placebo_units
        The donors, each refitted as if treated.
    pre_rmspe, post_rmspe, ratio, att
        Per placebo.
    gaps
        ``(n_placebos, n_times)`` placebo gap series over ``times``.
    times
        The periods of ``gaps``.
    treated_ratio
        The treated unit's post/pre RMSPE ratio.
    rank
        Number of units (treated included) with a ratio at least the treated unit's.
    p_value
        ``rank / (1 + n_placebos)``.
    p_value_att
        The same with ``|ATT|`` as the statistic.
    exclusions
        p-values after trimming poorly fitting placebos.
    method, notes
        How it was done.
    n_perfect, treated_perfect
        Placebos fitted exactly (left out of ``rank``), and whether the treated unit was.
    """

    fit: SynthResult
    placebo_units: tuple[str, ...]
    pre_rmspe: FloatArray
    post_rmspe: FloatArray
    ratio: FloatArray
    att: FloatArray
    gaps: FloatArray
    times: tuple[int, ...]
    treated_ratio: float
    rank: int
    p_value: float
    p_value_att: float
    exclusions: tuple[PlaceboExclusion, ...]
    method: str
    notes: tuple[str, ...] = ()
    n_perfect: int = 0
    treated_perfect: bool = False

    @property
    def n_placebos(self) -> int:
        """Number of placebo units."""
        return len(self.placebo_units)

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping (non-finite numbers become ``None``)."""
        return {
            "fit": self.fit.to_dict(),
            "treated_ratio": json_float(self.treated_ratio),
            "rank": self.rank,
            "n_placebos": self.n_placebos,
            "p_value": json_float(self.p_value),
            "p_value_att": self.p_value_att,
            "n_perfect": self.n_perfect,
            "treated_perfect": self.treated_perfect,
            "exclusions": [
                {"multiple": e.multiple, "n_kept": e.n_kept, "rank": e.rank, "p_value": e.p_value}
                for e in self.exclusions
            ],
            "placebos": {
                u: {
                    "pre_rmspe": json_float(self.pre_rmspe[i]),
                    "post_rmspe": json_float(self.post_rmspe[i]),
                    "ratio": json_float(self.ratio[i]),
                    "att": json_float(self.att[i]),
                    "gaps": [json_float(g) for g in self.gaps[i]],
                }
                for i, u in enumerate(self.placebo_units)
            },
            "times": list(self.times),
            "method": self.method,
            "notes": list(self.notes),
        }


def placebo_in_space(
    panel: SynthPanel,
    spec: SynthSpec,
    treated: str,
    treatment_time: int,
    donors: Iterable[str] | None = None,
    *,
    exclude_above: Sequence[float] = (2.0, 5.0),
    placebo_v: PlaceboV = "refit",
) -> PlaceboResult:
    """Fit the treated unit and every donor as a placebo; permutation p-values.

    Parameters
    ----------
    panel, spec, treated, treatment_time, donors
        As :func:`csceval.impact.synth.fit_synth`.
    exclude_above
        RMSPE multiples for the trimmed p-values (see the module Notes).
    placebo_v
        ``"refit"``: each placebo chooses its own V; ``"treated"``: the treated unit's V.

    Returns
    -------
    PlaceboResult

    Raises
    ------
    ValueError
        As :func:`~csceval.impact.synth.fit_synth`, or if ``placebo_v`` is unknown.
    """
    design = design_for(panel, spec, treated, treatment_time, donors)
    main = solve_batch(design, np.array([panel.index_of(treated)]), all_donors(design, 1))
    placebos = placebo_batch(design, main, placebo_v)
    return placebo_result(main, placebos, exclude_above, placebo_v)


def all_donors(design: Design, n: int) -> npt.NDArray[np.bool_]:
    """Masks admitting every donor of ``design`` for ``n`` problems."""
    return np.ones((n, design.donors.size), dtype=bool)


def placebo_batch(design: Design, main: BatchFit, placebo_v: PlaceboV) -> BatchFit:
    """Every donor of ``design`` fitted as if treated, the other donors as its pool."""
    if placebo_v not in ("refit", "treated"):
        raise ValueError(f'placebo_v must be "refit" or "treated", got {placebo_v!r}')
    if design.donors.size < 2:
        raise ValueError("placebos need at least two donors")
    v_fixed = main.v[0] if placebo_v == "treated" else None
    return solve_batch(design, design.donors, all_donors(design, design.donors.size), v_fixed)


def placebo_result(
    main: BatchFit,
    placebos: BatchFit,
    exclude_above: Sequence[float],
    placebo_v: PlaceboV,
) -> PlaceboResult:
    """Assemble a :class:`PlaceboResult` from the treated fit and its placebo batch."""
    fit = main.result(0)
    t_ratio = float(main.ratio[0])
    t_att = float(main.att[0])
    d = placebos.design
    fitted = placebos.pre_rmspe > PERFECT_FIT * d.rmspe_floor
    treated_perfect = bool(main.pre_rmspe[0] <= PERFECT_FIT * d.rmspe_floor)
    rank = 1 + int(np.count_nonzero(_ge(placebos.ratio[fitted], t_ratio)))
    exclusions = []
    for m in exclude_above:
        kept = fitted & (placebos.pre_rmspe <= m * main.pre_rmspe[0])
        n_kept = int(kept.sum())
        r = 1 + int(np.count_nonzero(_ge(placebos.ratio[kept], t_ratio)))
        p_m = math.nan if treated_perfect else r / (1 + n_kept)
        exclusions.append(PlaceboExclusion(float(m), n_kept, r, p_m))
    n_perfect = int(np.count_nonzero(~fitted))
    notes = list(placebos.notes)
    if n_perfect:
        notes.append(
            f"{n_perfect} placebo(s) fit the pre-period exactly (pre-RMSPE ~ 0): their RMSPE "
            "ratio is undefined, so they are left out of the ratio test"
        )
    if treated_perfect:
        notes.append(
            f"{fit.treated}: pre-period fitted exactly (pre-RMSPE ~ 0): no RMSPE-ratio test"
        )
    return PlaceboResult(
        fit=fit,
        placebo_units=tuple(d.units[j] for j in placebos.targets),
        pre_rmspe=placebos.pre_rmspe,
        post_rmspe=placebos.post_rmspe,
        ratio=placebos.ratio,
        att=placebos.att,
        gaps=placebos.gaps,
        times=d.times,
        treated_ratio=t_ratio,
        rank=rank,
        p_value=math.nan if treated_perfect else rank / (1 + int(fitted.sum())),
        p_value_att=permutation_p(np.abs(placebos.att), abs(t_att)),
        exclusions=tuple(exclusions),
        method=(
            "in-space placebos (every donor treated in turn, the other donors as its pool); "
            f"post/pre RMSPE-ratio permutation p-value; placebo V: {placebo_v}"
        ),
        notes=tuple(notes),
        n_perfect=n_perfect,
        treated_perfect=treated_perfect,
    )


def placebo_in_time(
    panel: SynthPanel,
    spec: SynthSpec,
    treated: str,
    treatment_time: int,
    fake_treatment_time: int,
    donors: Iterable[str] | None = None,
    *,
    fake_spec: SynthSpec | None = None,
) -> SynthResult:
    """Refit with a fake, earlier treatment date on the data before the real one.

    Parameters
    ----------
    panel, spec, treated, treatment_time, donors
        As :func:`csceval.impact.synth.fit_synth`.
    fake_treatment_time
        The pretend start date (earlier than ``treatment_time``).
    fake_spec
        Specification to use; default ``spec`` with every predictor window and the loss window
        shifted back by ``treatment_time - fake_treatment_time``.

    Returns
    -------
    SynthResult
        The fit at the fake date: its ``att`` should be near zero if the design is sound.

    Raises
    ------
    ValueError
        If the fake date is not earlier than the real one, or as ``fit_synth``.
    """
    if fake_treatment_time >= treatment_time:
        raise ValueError(
            f"the fake treatment time {fake_treatment_time} must be before {treatment_time}"
        )
    lag = treatment_time - fake_treatment_time
    if fake_spec is None:
        window = spec.optimize_window
        fake_spec = replace(
            spec,
            predictors=tuple(p.shifted(-lag) for p in spec.predictors),
            optimize_window=None if window is None else (window[0] - lag, window[1] - lag),
        )
    res = _fit_one(panel.truncated(treatment_time), fake_spec, treated, fake_treatment_time, donors)
    note = (
        f"in-time placebo: fake treatment in {fake_treatment_time} (real {treatment_time}); "
        f"data from {treatment_time} on not used; windows shifted back {lag} period(s)"
    )
    return replace(res, method="in-time placebo; " + res.method, notes=(note, *res.notes))


def _fit_one(
    panel: SynthPanel,
    spec: SynthSpec,
    treated: str,
    treatment_time: int,
    donors: Iterable[str] | None,
) -> SynthResult:
    design = design_for(panel, spec, treated, treatment_time, donors)
    return solve_batch(design, np.array([panel.index_of(treated)]), all_donors(design, 1)).result(0)


@dataclass(frozen=True)
class LeaveOneOutResult:
    """The fit and its refits without each positive-weight donor."""

    fit: SynthResult
    fits: dict[str, SynthResult]

    @property
    def att_range(self) -> tuple[float, float]:
        """Smallest and largest ATT over the fit and its leave-one-out refits."""
        atts = [self.fit.att, *(f.att for f in self.fits.values())]
        return min(atts), max(atts)

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping."""
        lo, hi = self.att_range
        return {
            "fit": self.fit.to_dict(),
            "dropped": {u: f.to_dict() for u, f in self.fits.items()},
            "att_range": [json_float(lo), json_float(hi)],
        }


def leave_one_out(
    panel: SynthPanel,
    spec: SynthSpec,
    treated: str,
    treatment_time: int,
    donors: Iterable[str] | None = None,
    *,
    threshold: float = 1e-6,
) -> LeaveOneOutResult:
    """Refit without each donor whose weight exceeds ``threshold``.

    Parameters
    ----------
    panel, spec, treated, treatment_time, donors
        As :func:`csceval.impact.synth.fit_synth`.
    threshold
        Donors with weight above this are dropped in turn.

    Returns
    -------
    LeaveOneOutResult
    """
    design = design_for(panel, spec, treated, treatment_time, donors)
    target = panel.index_of(treated)
    main = solve_batch(design, np.array([target]), all_donors(design, 1))
    drop = np.flatnonzero(main.weights[0] > threshold)
    if design.donors.size < 2 or drop.size == 0:
        return LeaveOneOutResult(main.result(0), {})
    masks = all_donors(design, drop.size)
    masks[np.arange(drop.size), drop] = False
    refits = solve_batch(design, np.full(drop.size, target), masks)
    fits = {}
    for b, j in enumerate(drop):
        r = refits.result(b)
        name = design.units[design.donors[j]]
        fits[name] = replace(r, notes=(f"leave-one-out: {name} dropped", *r.notes))
    return LeaveOneOutResult(main.result(0), fits)
