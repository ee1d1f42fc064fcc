"""Synthetic difference-in-differences (Arkhangelsky et al. 2021) on a panel, by adoption cohort.

The block-design solver (:mod:`csceval.impact.sdid_solver`) is a port of R ``synthdid``; this
module applies it to staggered adoption as Clarke, Pailanir, Athey and Imbens (2023, Stata
``sdid``) do:

- each adoption cohort (treated units sharing a first treated period ``a``) is a block design
  against the never-treated controls, pre-period the years before ``a``, post-period ``a`` to
  the last year (units treated in other cohorts are left out);
- the overall effect is the average of the cohort effects weighted by treated unit-periods
  (``N1_a * T1_a``); with one cohort it is R ``synthdid``'s estimate;
- ``method="sc"`` and ``"did"`` use the same solver with ``sc_estimate`` / ``did_estimate``'s
  settings.

Inference
---------
``"placebo"`` (R ``synthdid``'s ``vcov(method = "placebo")``, generalised to cohorts as Stata
``sdid``): each replication permutes the controls, gives the last ``N_tr`` the treated units'
adoption years, and re-estimates on the controls alone, with the regularisation of the real
fit and its weights as starting values; ``se = sqrt((B - 1) / B) * sd(estimates)``. It needs
more controls than treated units. The same draws give a randomization p-value,
``(1 + #{|placebo| >= |tau|}) / (B + 1)``, which we prefer with few treated units.
``"jackknife"`` (R's ``jackknife_se`` with fixed weights) leaves out each unit in turn and
recomputes the aggregate. With staggered adoption a cohort may have a single treated unit;
leaving it out removes that cohort from the aggregate for that replicate (the delete-one
jackknife of the overall estimator, as Stata ``sdid`` does not allow; its coverage with ten
pilots in two to four cohorts is measured by ``csceval impact recovery``). It is not defined
(NaN, with a note) with a single treated unit in all, or when a cohort has all its control
weight on one unit. Intervals are ``tau +/- z * se``.

Controls with a missing outcome in any year are dropped (with a note); a treated unit with a
missing outcome, a cohort with fewer than two pre-periods, or fewer than two controls make the
input unusable (``ValueError`` naming the cause).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from csceval.impact.sdid_solver import (
    METHODS,
    BlockFit,
    Method,
    default_weights,
    fit_batch,
    fit_block,
    options_for,
    sum_normalize,
)
from csceval.impact.synth_data import SynthPanel
from csceval.impact.synth_fit import json_float

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
Inference = Literal["placebo", "jackknife", "none"]
INFERENCES: tuple[str, ...] = ("placebo", "jackknife", "none")


@dataclass(frozen=True, eq=False)
class CohortFit:
    """One adoption cohort's block-design fit."""

    start: int
    treated: tuple[str, ...]
    n_pre: int
    n_post: int
    fit: BlockFit
    controls: tuple[str, ...] = field(repr=False)
    times: tuple[int, ...] = field(repr=False)

    @property
    def tau(self) -> float:
        """The cohort's effect."""
        return self.fit.tau

    @property
    def unit_periods(self) -> int:
        """Treated unit-periods, the cohort's weight in the overall effect."""
        return len(self.treated) * self.n_post

    def to_dict(self, threshold: float = 1e-6) -> dict[str, object]:
        """JSON-safe mapping; weights below ``threshold`` are left out."""
        return {
            "start": self.start,
            "treated": list(self.treated),
            "tau": json_float(self.tau),
            "n_pre": self.n_pre,
            "n_post": self.n_post,
            "unit_periods": self.unit_periods,
            "unit_weights": {
                u: float(w)
                for u, w in zip(self.controls, self.fit.omega, strict=True)
                if w > threshold
            },
            "time_weights": {
                str(t): float(w)
                for t, w in zip(self.times[: self.n_pre], self.fit.lam, strict=True)
                if w > threshold
            },
            "noise_level": json_float(self.fit.noise_level),
            "zeta_omega": json_float(self.fit.options.zeta_omega),
        }


@dataclass(frozen=True, eq=False)
class SDIDResult:
    """Synthetic DiD (or SC / DiD from the same solver) over one or more adoption cohorts.

    ``placebo`` holds the placebo estimates when ``inference == "placebo"``; ``se``, ``ci`` and
    ``p_value`` are NaN when not defined.
    """

    outcome: str
    method: str
    cohorts: tuple[CohortFit, ...]
    tau: float
    se: float
    ci: tuple[float, float]
    p_value: float
    inference: str
    placebo: FloatArray
    n_reps: int
    seed: int | None
    level: float
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping (the placebo distribution summarised by quantiles)."""
        qs = (0.025, 0.5, 0.975)
        return {
            "outcome": self.outcome,
            "method": self.method,
            "tau": json_float(self.tau),
            "se": json_float(self.se),
            "ci": [json_float(self.ci[0]), json_float(self.ci[1])],
            "level": self.level,
            "p_value": json_float(self.p_value),
            "inference": self.inference,
            "n_reps": self.n_reps,
            "seed": self.seed,
            "placebo_quantiles": (
                {str(q): float(np.quantile(self.placebo, q)) for q in qs}
                if self.placebo.size
                else {}
            ),
            "cohorts": [c.to_dict() for c in self.cohorts],
            "notes": list(self.notes),
        }


@dataclass(frozen=True, eq=False)
class _Prepared:
    y: FloatArray  # (N, T): usable controls first, then the treated
    times: tuple[int, ...]
    controls: tuple[str, ...]
    treated: tuple[str, ...]
    starts: IntArray  # per treated unit: index of the first treated period
    notes: tuple[str, ...]


def _prepare(
    panel: SynthPanel,
    outcome: str,
    adoption: Mapping[str, int],
    controls: Sequence[str] | None,
) -> _Prepared:
    y = panel.variable(outcome)  # (T, N)
    times = panel.times
    notes: list[str] = []
    if not adoption:
        raise ValueError("no treated unit given")
    treated: list[str] = []
    starts: list[int] = []
    for unit, start in sorted(adoption.items(), key=lambda kv: (kv[1], str(kv[0]))):
        j = panel.index_of(unit)
        pos = int(np.searchsorted(np.asarray(times), start))
        if pos >= len(times):
            notes.append(f"{unit} adopts in {start}, after the last period: left out")
            continue
        if pos < 2:
            raise ValueError(
                f"{unit} adopts in {start}: fewer than two pre-periods in the panel "
                f"(first period {times[0]})"
            )
        missing = [times[t] for t in np.flatnonzero(~np.isfinite(y[:, j]))]
        if missing:
            raise ValueError(f"treated unit {unit} has no {outcome} value in {missing[:5]}")
        treated.append(panel.units[j])
        starts.append(pos)
    if not treated:
        raise ValueError("no treated unit adopts within the panel's periods")
    pool = [u for u in (controls if controls is not None else panel.units) if u not in adoption]
    keep: list[str] = []
    for unit in pool:
        j = panel.index_of(unit)
        if np.isfinite(y[:, j]).all():
            keep.append(panel.units[j])
        else:
            notes.append(f"control {unit} left out: {outcome} missing in some period")
    if len(keep) < 2:
        raise ValueError(f"{len(keep)} usable control unit(s): synthetic DiD needs at least two")
    cols = [panel.index_of(u) for u in (*keep, *treated)]
    return _Prepared(
        y=y[:, cols].T.copy(),
        times=times,
        controls=tuple(keep),
        treated=tuple(treated),
        starts=np.asarray(starts, dtype=np.intp),
        notes=tuple(notes),
    )


def _fit_cohorts(prep: _Prepared, method: Method) -> tuple[CohortFit, ...]:
    n0 = len(prep.controls)
    out = []
    for pos in np.unique(prep.starts):
        members = np.flatnonzero(prep.starts == pos)
        y = np.vstack([prep.y[:n0], prep.y[n0 + members]])
        opts, noise = options_for(method, y, n0, int(pos))
        omega, lam = default_weights(method, n0, int(pos))
        fit = fit_block(y, n0, int(pos), opts, omega, lam, noise)
        out.append(
            CohortFit(
                start=prep.times[pos],
                treated=tuple(prep.treated[i] for i in members),
                n_pre=int(pos),
                n_post=len(prep.times) - int(pos),
                fit=fit,
                controls=prep.controls,
                times=prep.times,
            )
        )
    return tuple(out)


def _aggregate(taus: FloatArray, sizes: FloatArray) -> FloatArray:
    """Average over the last axis weighted by treated unit-periods."""
    out: FloatArray = (taus * sizes).sum(axis=-1) / sizes.sum(axis=-1)
    return out


def _placebo(
    prep: _Prepared, cohorts: tuple[CohortFit, ...], n_reps: int, seed: int | None
) -> FloatArray:
    n0, n_tr = len(prep.controls), len(prep.treated)
    rng = np.random.default_rng(seed)
    perms = np.stack([rng.permutation(n0) for _ in range(n_reps)])  # (B, n0)
    kept, pseudo = perms[:, : n0 - n_tr], perms[:, n0 - n_tr :]
    taus = np.empty((n_reps, len(cohorts)))
    sizes = np.empty(len(cohorts))
    offset = 0
    for c, cohort in enumerate(cohorts):
        n1 = len(cohort.treated)
        rows = np.concatenate([kept, pseudo[:, offset : offset + n1]], axis=1)
        offset += n1
        ys = prep.y[rows]  # (B, N0 - N_tr + n1, T)
        omega0 = np.stack([sum_normalize(cohort.fit.omega[k]) for k in kept])
        lam0 = np.broadcast_to(cohort.fit.lam, (n_reps, cohort.n_pre)).copy()
        taus[:, c], _, _ = fit_batch(ys, n0 - n_tr, cohort.n_pre, cohort.fit.options, omega0, lam0)
        sizes[c] = cohort.unit_periods
    return _aggregate(taus, sizes)


def _jackknife(prep: _Prepared, cohorts: tuple[CohortFit, ...]) -> float:
    if len(prep.treated) < 2 or any(np.count_nonzero(c.fit.omega) < 2 for c in cohorts):
        return float("nan")
    n0 = len(prep.controls)
    units = (*prep.controls, *prep.treated)
    estimates = []
    for drop in units:
        taus, sizes = [], []
        for c in cohorts:
            keep = np.array([u != drop for u in prep.controls])
            omega = sum_normalize(c.fit.omega[keep])
            treated = [n0 + prep.treated.index(u) for u in c.treated if u != drop]
            if not treated:  # the cohort's only treated unit is left out
                continue
            y = np.vstack([prep.y[:n0][keep], prep.y[treated]])
            t1 = len(prep.times) - c.n_pre
            row = np.concatenate([-omega, np.full(len(treated), 1.0 / len(treated))])
            col = np.concatenate([-c.fit.lam, np.full(t1, 1.0 / t1)])
            taus.append(float(row @ y @ col))
            sizes.append(len(treated) * t1)
        estimates.append(float(_aggregate(np.asarray(taus), np.asarray(sizes, float))))
    u = np.asarray(estimates)
    n = len(u)
    return float(np.sqrt((n - 1) / n * (n - 1) * np.var(u, ddof=1)))


def synthdid(
    panel: SynthPanel,
    outcome: str,
    adoption: Mapping[str, int],
    *,
    method: Method = "sdid",
    controls: Sequence[str] | None = None,
    inference: Inference = "placebo",
    n_reps: int = 200,
    seed: int | None = 0,
    level: float = 0.95,
) -> SDIDResult:
    """Synthetic DiD of ``outcome`` for the treated units in ``adoption`` (unit -> first year).

    Parameters
    ----------
    controls
        The control pool; default every unit not in ``adoption``.
    inference
        ``"placebo"`` (default), ``"jackknife"`` or ``"none"``; see the module notes.
    n_reps, seed
        Placebo replications and the generator's seed.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if inference not in INFERENCES:
        raise ValueError(f"inference must be one of {INFERENCES}, got {inference!r}")
    prep = _prepare(panel, outcome, adoption, controls)
    cohorts = _fit_cohorts(prep, method)
    sizes = np.asarray([c.unit_periods for c in cohorts], dtype=np.float64)
    tau = float(_aggregate(np.asarray([c.tau for c in cohorts]), sizes))
    notes = list(prep.notes)
    placebo = np.empty(0)
    se = p_value = float("nan")
    if inference == "placebo":
        if len(prep.controls) <= len(prep.treated):
            notes.append("placebo inference needs more controls than treated units")
        elif n_reps < 2:
            raise ValueError("placebo inference needs at least two replications")
        else:
            placebo = _placebo(prep, cohorts, n_reps, seed)
            se = float(np.sqrt((n_reps - 1) / n_reps) * np.std(placebo, ddof=1))
            p_value = float((1 + np.sum(np.abs(placebo) >= abs(tau))) / (n_reps + 1))
    elif inference == "jackknife":
        se = _jackknife(prep, cohorts)
        if not np.isfinite(se):
            notes.append(
                "jackknife not defined: a single treated unit, or a cohort with one weighted "
                "control"
            )
    z = float(norm.ppf(0.5 + level / 2))
    return SDIDResult(
        outcome=outcome,
        method=method,
        cohorts=cohorts,
        tau=tau,
        se=se,
        ci=(tau - z * se, tau + z * se),
        p_value=p_value,
        inference=inference,
        placebo=placebo,
        n_reps=n_reps if placebo.size else 0,
        seed=seed,
        level=level,
        notes=tuple(notes),
    )
