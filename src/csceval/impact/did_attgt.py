"""The group-time loop of Callaway & Sant'Anna (2021): every ATT(g,t) and its influence function.

A line-by-line port of R ``did::compute.att_gt`` for balanced panels. For cohort ``g`` and
period ``t`` the 2x2 comparison uses units of cohort ``g`` against the comparison group
(never-treated, or never-treated plus not-yet-treated), between ``t`` and a base period:

* ``base_period="varying"``: ``t - 1`` before treatment, ``g - anticipation - 1`` from ``g`` on;
* ``base_period="universal"``: always ``g - anticipation - 1`` (that cell is reported as 0).

The 2x2 influence function, defined on the ``n1`` units of the comparison, is scaled by
``n / n1`` and put in an ``n``-vector with zeros for the other units, exactly as R does.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from csceval.impact.did_data import Panel
from csceval.impact.did_results import FloatArray
from csceval.impact.drdid import drdid_panel, fit_logit, reg_did_panel, std_ipw_did_panel

__all__ = ["Cells", "compute_cells", "wald_pretest"]

_EPS = float(np.finfo(float).eps)
TINY_SE = float(np.sqrt(_EPS) * 10)
"""Standard errors at or below this are treated as zero (``NA`` in R)."""


class Cells:
    """ATT(g,t) estimates and the ``n x K`` influence-function matrix, in R's cell order."""

    def __init__(self, n_units: int) -> None:
        self.group: list[float] = []
        self.time: list[float] = []
        self.att: list[float] = []
        self.columns: list[FloatArray] = []
        self.notes: list[str] = []
        self._zero = np.zeros(n_units)

    def add(self, g: float, t: float, att: float, psi: FloatArray | None) -> None:
        self.group.append(g)
        self.time.append(t)
        self.att.append(att)
        self.columns.append(self._zero if psi is None else psi)

    def influence(self) -> FloatArray:
        if not self.columns:
            return np.zeros((len(self._zero), 0))
        return np.column_stack(self.columns)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _two_by_two(
    y1: FloatArray, y0: FloatArray, d: FloatArray, x: FloatArray, est_method: str
) -> tuple[float, FloatArray] | str:
    """One 2x2 DiD, or the reason it cannot be computed (R then reports ``NA``)."""
    ps: FloatArray | None = None
    if est_method in ("dr", "ipw"):
        try:
            ps = fit_logit(x, d)
        except np.linalg.LinAlgError:
            return "the propensity-score logit is singular"
        if not np.all(np.isfinite(ps)) or ps.max() >= 0.999:
            return "overlap is violated (a propensity score is 0.999 or more)"
    if est_method in ("dr", "reg"):
        xc = x[d == 0]
        if xc.shape[0] == 0 or 1.0 / np.linalg.cond(xc.T @ xc, 1) < _EPS:
            return "too few comparison units to run the outcome regression"
    if d.sum() == 0 or (1 - d).sum() == 0:
        return "no treated or no comparison units"
    try:
        if est_method == "reg":
            return reg_did_panel(y1, y0, d, x)
        assert ps is not None
        if est_method == "ipw":
            return std_ipw_did_panel(y1, y0, d, x, ps)
        return drdid_panel(y1, y0, d, x, ps)
    except np.linalg.LinAlgError:
        return "a design matrix is singular"


def compute_cells(
    panel: Panel,
    *,
    control_group: str,
    est_method: str,
    base_period: str,
    anticipation: float,
) -> Cells:
    """Estimate every ATT(g,t) of the panel (see the module docstring for the design)."""
    periods, g_unit = panel.periods, panel.g
    n = len(g_unit)
    cells = Cells(n)
    never = g_unit == 0
    first_t = 1 if base_period == "varying" else 0
    for g in panel.groups:
        in_g = g_unit == g
        pre_idx = int(np.flatnonzero(periods + anticipation < g)[-1])
        for ti in range(first_t, len(periods)):
            t_now = periods[ti]
            if base_period == "universal":
                base = pre_idx
                if base == ti:  # normalised base period
                    cells.add(g, t_now, 0.0, None)
                    continue
            else:
                base = pre_idx if g <= t_now else ti - 1
            later = max(t_now, periods[base])
            if control_group == "nevertreated":
                control = never
            else:
                control = never | ((g_unit > later + anticipation) & ~in_g)
            sel = in_g | control
            n1 = int(sel.sum())
            d = in_g[sel].astype(float)
            x_t = min(ti, base)  # R takes covariates from the earlier of the two periods
            x = np.column_stack([np.ones(n1), panel.x[sel, x_t, :]])
            fit = _two_by_two(panel.y[sel, ti], panel.y[sel, base], d, x, est_method)
            if isinstance(fit, str):
                cells.notes.append(f"ATT({_fmt(g)},{_fmt(t_now)}) not estimated: {fit}.")
                cells.add(g, t_now, float("nan"), np.full(n, np.nan))
                continue
            att, psi = fit
            column = np.zeros(n)
            column[sel] = psi * (n / n1)
            cells.add(g, t_now, att, column)
    return cells


def analytic_se(influence: FloatArray) -> FloatArray:
    """R's analytic standard errors ``sqrt(diag(psi'psi / n) / n)``; zero becomes ``nan``."""
    n = influence.shape[0]
    se: FloatArray = np.sqrt((influence**2).sum(axis=0)) / n
    se[~(se > TINY_SE)] = np.nan
    return se


def wald_pretest(
    group: FloatArray,
    time: FloatArray,
    att: FloatArray,
    influence: FloatArray,
    se: FloatArray,
    anticipation: float = 0.0,
) -> tuple[float | None, float | None, int, str | None]:
    """R ``did``'s Wald pre-test: ``W = n * a' V^{-1} a`` over pre-treatment cells.

    Uses the cells with ``time < group - anticipation`` (cells inside the anticipation window
    may legitimately be non-zero) and a non-zero analytic standard error, and
    ``V = psi'psi / n``. Returns ``(W, p, df, reason)``; ``W`` and ``p`` are ``None`` with a
    reason when the test cannot be computed.
    """
    pre = np.flatnonzero((group - anticipation > time) & np.isfinite(se))
    if not len(pre):
        return None, None, 0, "no pre-treatment periods to test"
    n = influence.shape[0]
    psi = influence[:, pre]
    v = psi.T @ psi / n
    a = att[pre]
    if not np.all(np.isfinite(v)) or not np.all(np.isfinite(a)):
        return None, None, len(pre), "pre-treatment estimates are missing"
    if 1.0 / np.linalg.cond(v, 1) <= _EPS:
        return None, None, len(pre), "the pre-treatment covariance matrix is singular"
    w = float(n * a @ np.linalg.solve(v, a))
    return w, float(chi2.sf(w, len(pre))), len(pre), None
