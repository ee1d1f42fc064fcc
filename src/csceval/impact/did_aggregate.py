"""Aggregations of ATT(g,t) into summary parameters (R ``did::aggte``).

Each summary is a weighted average of ATT(g,t) and its influence function is the same weighted
average of theirs plus, where the weights are cohort shares estimated from the data, R's
correction for estimating those weights (``wif``). Standard errors are ``sqrt(mean(psi^2)/n)``
or, with bootstrap inference, the multiplier bootstrap of ``psi``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from csceval.impact.did_attgt import TINY_SE
from csceval.impact.did_bootstrap import bootstrap_summary, multipliers
from csceval.impact.did_results import AggregateResult, ATTgtResult, FloatArray

__all__ = ["AGGREGATIONS", "aggregate"]

AGGREGATIONS = ("simple", "group", "dynamic", "calendar")


def _wif(
    keep: npt.NDArray[np.intp], pg: FloatArray, unit_group: FloatArray, cohort: FloatArray
) -> FloatArray:
    """R's ``wif``: influence of estimating the weights ``pg[keep] / sum(pg[keep])`` (n x k)."""
    p = pg[keep]
    total = p.sum()
    centred = (unit_group[:, None] == cohort[keep][None, :]).astype(float) - p[None, :]
    return np.asarray(
        centred / total - centred.sum(axis=1)[:, None] * (p / total**2)[None, :], dtype=float
    )


def _se(psi: FloatArray) -> FloatArray:
    """Analytic standard errors of the columns of an ``n x k`` influence function."""
    n = psi.shape[0]
    se = np.sqrt((psi**2).mean(axis=0) / n)
    se[~(se > TINY_SE)] = np.nan
    return np.asarray(se, dtype=float)


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def aggregate(
    res: ATTgtResult,
    type: str,
    *,
    min_e: float = -math.inf,
    max_e: float = math.inf,
    balance_e: float | None = None,
    na_rm: bool = False,
    inference: str | None = None,
    n_boot: int | None = None,
    seed: int | None = None,
    alpha: float | None = None,
) -> AggregateResult:
    """See :func:`csceval.impact.did.aggte` (this is its implementation)."""
    if type not in AGGREGATIONS:
        raise ValueError(f"type must be one of {AGGREGATIONS}; got {type!r}")
    inference = res.inference if inference is None else inference
    if inference not in ("analytic", "bootstrap"):
        raise ValueError(f"inference must be 'analytic' or 'bootstrap'; got {inference!r}")
    n_boot = (res.n_boot or 999) if n_boot is None else n_boot
    seed = res.seed if seed is None else seed
    alpha = res.alpha if alpha is None else alpha
    notes: list[str] = []

    group, time, att, psi = res.group, res.time, res.att, res.influence
    missing = np.isnan(att)
    if missing.any():
        if not na_rm:
            raise ValueError(
                f"{int(missing.sum())} ATT(g,t) are missing (see the att_gt notes); "
                "set na_rm=True to aggregate the others"
            )
        keep = ~missing
        group, time, att, psi = group[keep], time[keep], att[keep], psi[:, keep]
        notes.append(f"{int(missing.sum())} missing ATT(g,t) left out (na_rm=True).")
    glist = np.unique(group)
    unit_group = res.unit_group
    pgg = np.array([(unit_group == g).mean() for g in glist])
    pg = pgg[np.searchsorted(glist, group)]
    post = (group <= time) & (time <= group + max_e)

    labels = np.zeros(0)
    table_att = np.zeros(0)
    table_psi = np.zeros((psi.shape[0], 0))
    if type == "simple":
        k = np.flatnonzero(post)
        w = pg[k] / pg[k].sum()
        overall = float(att[k] @ w)
        overall_psi = psi[:, k] @ w + _wif(k, pg, unit_group, group) @ att[k]
    elif type == "group":
        has_post = np.array([bool((post & (group == g)).any()) for g in glist])
        if not has_post.all():
            notes.append(
                "Cohort(s) with no post-treatment period left out: "
                + ", ".join(_fmt(g) for g in glist[~has_post])
                + "."
            )
        labels, pgg = glist[has_post], pgg[has_post]
        cols = [np.flatnonzero(post & (group == g)) for g in labels]
        table_att = np.array([att[c].mean() for c in cols])
        table_psi = np.column_stack([psi[:, c].mean(axis=1) for c in cols])
        w = pgg / pgg.sum()
        overall = float(table_att @ w)
        k = np.arange(len(labels))
        overall_psi = table_psi @ w + _wif(k, pgg, unit_group, labels) @ table_att
    elif type == "dynamic":
        e_cell = time - group
        include = np.ones(len(att), dtype=bool)
        eseq = np.unique(e_cell)
        if balance_e is not None:
            t_max, t_min = time.max(), time.min()
            eseq = eseq[(eseq <= balance_e) & (eseq >= balance_e - t_max + t_min)]
            include = t_max - group >= balance_e
            notes.append(
                f"Balanced in event time: only cohorts observed for at least {_fmt(balance_e)} "
                "periods after treatment."
            )
        eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
        if not len(eseq):
            raise ValueError("no event times left after min_e, max_e and balance_e")
        labels = eseq.astype(float)
        cols = [np.flatnonzero((e_cell == e) & include) for e in eseq]
        table_att = np.array([att[c] @ (pg[c] / pg[c].sum()) for c in cols])
        table_psi = np.column_stack(
            [
                psi[:, c] @ (pg[c] / pg[c].sum()) + _wif(c, pg, unit_group, group) @ att[c]
                for c in cols
            ]
        )
        epos = eseq >= 0
        if not epos.any():
            raise ValueError("no event time >= 0 in the window, so no overall event-study ATT")
        overall = float(table_att[epos].mean())
        overall_psi = table_psi[:, epos].mean(axis=1)
    else:  # calendar
        t_list = np.unique(time)
        labels = t_list[t_list >= group.min()]
        cols = [np.flatnonzero((time == t) & (group <= time)) for t in labels]
        table_att = np.array([att[c] @ (pg[c] / pg[c].sum()) for c in cols])
        table_psi = np.column_stack(
            [
                psi[:, c] @ (pg[c] / pg[c].sum()) + _wif(c, pg, unit_group, group) @ att[c]
                for c in cols
            ]
        )
        overall = float(table_att.mean())
        overall_psi = table_psi.mean(axis=1)

    z = float(norm.ppf(1 - alpha / 2))
    all_psi = np.column_stack([table_psi, overall_psi])
    crit, uniform = z, False
    if inference == "bootstrap":
        weights = multipliers(all_psi.shape[0], n_boot, seed, res.multiplier)
        in_band = np.arange(all_psi.shape[1]) < len(labels)
        boot = bootstrap_summary(all_psi, weights, alpha, band=in_band)
        se_all = boot.se
        if len(labels) > 0:
            band = boot.crit_value
            if not math.isfinite(band):
                notes.append("Simultaneous critical value undefined; pointwise intervals shown.")
            elif band < z:
                notes.append(
                    "Simultaneous critical value below the pointwise one; pointwise "
                    "intervals shown, as R did does."
                )
            else:
                crit, uniform = band, True
                if band >= 7:
                    notes.append(
                        f"Simultaneous critical value {band:.2f} is arguably too large to be "
                        "reliable (small cohorts or little outcome variation)."
                    )
    else:
        se_all = _se(all_psi)
    table_se, overall_se = se_all[:-1], float(se_all[-1])
    return AggregateResult(
        type=type,
        outcome=res.outcome,
        overall_att=overall,
        overall_se=overall_se,
        overall_ci=(overall - z * overall_se, overall + z * overall_se),
        labels=np.asarray(labels, dtype=float),
        att=table_att,
        se=table_se,
        ci_lower=table_att - crit * table_se,
        ci_upper=table_att + crit * table_se,
        crit_value=crit,
        uniform=uniform,
        alpha=alpha,
        min_e=min_e,
        max_e=max_e,
        balance_e=balance_e,
        inference=inference,
        n_boot=n_boot if inference == "bootstrap" else 0,
        seed=seed,
        multiplier=res.multiplier,
        method=f"Callaway & Sant'Anna (2021) {type} aggregation of ATT(g,t) ({res.method})",
        notes=tuple(notes),
        influence=np.asarray(overall_psi, dtype=float),
        influence_table=table_psi,
    )
