"""Golden values for csceval.impact.few_clusters, matching and matched_did (see SOURCE.md).

Run with a separate environment holding the reference packages (never csceval's own):

    python3 -m venv /tmp/fa1ref
    /tmp/fa1ref/bin/pip install pyfixest==0.60.0 wildboottest==0.3.2 statsmodels==0.15.0
    /tmp/fa1ref/bin/python tests/golden/few_clusters/make_goldens.py

It imports nothing from csceval. CR1 standard errors and point estimates come from pyfixest
``feols``; wild cluster bootstrap p-values from ``wildboottest`` (WCR, "11"); propensity scores
from statsmodels ``Logit``; CR2 standard errors and Bell-McCaffrey degrees of freedom from
``naive_cr2.py`` beside this script, a direct, dense transcription of the published formulas,
since no Python package computes CR2 (pyfixest's HC2, stored as ``se_hc2``, is the special case
of one observation per cluster).
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import statsmodels.api as sm
from naive_cr2 import naive_cr2  # beside this script
from wildboottest.wildboottest import WildboottestCL

HERE = Path(__file__).resolve().parent
CASTLE = Path("/work/shared/data/reference/castle_doctrine.csv")
SEED = 20241206


def wild_p(x, y, cl, w, r, draws, reps, seed, impose_null=True):
    sw = np.sqrt(w)
    codes = pd.factorize(cl, sort=True)[0]  # wildboottest's numba code needs numeric labels
    boot = WildboottestCL(X=x * sw[:, None], Y=y * sw, cluster=codes, R=r, B=reps, seed=seed)
    boot.get_scores(bootstrap_type="11", impose_null=impose_null)
    _, b, _ = boot.get_weights(weights_type=draws)
    boot.get_numer()
    boot.get_denom()
    boot.get_tboot()
    boot.get_vcov()
    boot.get_tstat()
    boot.get_pvalue(pval_type="two-tailed")
    return {
        "t_stat": float(np.ravel(boot.t_stat)[0]),
        "p_value": float(boot.pvalue),
        "reps": int(b),
    }


def castle_design(states_max):
    """Castle-doctrine states with sid <= states_max: l_homicide on post, state and year
    dummies (intercept, drop-first), as the tests rebuild it."""
    df = pd.read_csv(CASTLE)
    df = df[df.sid <= states_max].sort_values(["sid", "year"]).reset_index(drop=True)
    dummies = pd.get_dummies(df[["sid", "year"]].astype(str), drop_first=True, dtype=float)
    x = np.column_stack([np.ones(len(df)), df["post"].to_numpy(float), dummies.to_numpy()])
    return df, x


def castle_goldens():
    out = {}
    for label, states_max in (("castle11", 12), ("castle50", 99)):
        df, x = castle_design(states_max)
        y = df["l_homicide"].to_numpy(float)
        cl = df["sid"].to_numpy()
        for weighted in (False, True):
            w = df["popwt"].to_numpy(float) if weighted else np.ones(len(df))
            fit = pf.feols(
                "l_homicide ~ post + C(sid) + C(year)",
                data=df,
                vcov={"CRV1": "sid"},
                weights="popwt" if weighted else None,
            )
            c = np.zeros(x.shape[1])
            c[1] = 1.0
            sw = np.sqrt(w)
            beta = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)[0]
            var2, df_bm = naive_cr2(x, y - x @ beta, cl, w, c)
            key = f"{label}_{'popwt' if weighted else 'unweighted'}"
            hc2 = pf.feols(
                "l_homicide ~ post + C(sid) + C(year)",
                data=df,
                vcov="HC2",
                weights="popwt" if weighted else None,
                ssc=pf.ssc(k_adj=False, G_adj=False),  # raw HC2: no N/(N-K) factor
            )
            out[key] = {
                "se_hc2": float(hc2.se()["post"]),
                "n_clusters": len(np.unique(cl)),
                "n_obs": len(df),
                "estimate": float(fit.coef()["post"]),
                "se_cr1": float(fit.se()["post"]),
                "se_cr2": var2**0.5,
                "df_bm": df_bm,
                "wild_rademacher": wild_p(x, y, cl, w, c, "rademacher", 9999, 1),
                "wild_rademacher_wcu": wild_p(x, y, cl, w, c, "rademacher", 9999, 1, False),
                "wild_webb": wild_p(x, y, cl, w, c, "webb", 99999, 1),
            }
    return out


def synthetic_children():
    """A staggered child-level panel: 12 LAs, cohorts 2018-2022; LAs 0-2 adopt in 2020,
    3-5 in 2021, 6-11 never; about 15 children per LA and year; a binary outcome with an
    effect of -0.08 growing by -0.02 a year since adoption; matching-style weights."""
    rng = np.random.default_rng(SEED)
    rows = []
    for la in range(12):
        adoption = 2020 if la < 3 else 2021 if la < 6 else 0
        la_effect = rng.normal(0, 0.05)
        for year in range(2018, 2023):
            for _ in range(10 + rng.poisson(5)):
                age = int(rng.integers(0, 18))
                disabled = int(rng.random() < 0.15)
                treated = adoption and year >= adoption
                effect = (-0.08 - 0.02 * (year - adoption)) if treated else 0.0
                p = 0.2 + la_effect + 0.01 * (year - 2018) + 0.005 * age + 0.1 * disabled + effect
                rows.append(
                    {
                        "la": f"LA{la:02d}",
                        "year": year,
                        "adoption": adoption,
                        "pilot": int(adoption > 0),
                        "age": age,
                        "disabled": disabled,
                        "rereferral": int(rng.random() < min(max(p, 0.01), 0.99)),
                        "weight": 1.0 if adoption else float(np.round(rng.gamma(4, 0.25), 4)),
                    }
                )
    return pd.DataFrame(rows)


def stacked(frame, covariates):
    """Stacked 2x2 design, built independently of csceval: cohorts g with base g-1, every
    other period t, never-treated controls, cell-specific LA dummies, post, treated x post and
    covariates; returns the design, y, weights, clusters and each cell's (column, weight)."""
    blocks, cells = [], []
    offset = 0
    periods = sorted(frame.year.unique())
    for g in sorted(a for a in frame.adoption.unique() if a > 0):
        b = g - 1
        for t in periods:
            if t == b:
                continue
            part = frame[((frame.adoption == g) | (frame.adoption == 0)) & frame.year.isin([b, t])]
            las = sorted(part.la.unique())
            k = len(las) + 2 + len(covariates)
            x = np.zeros((len(part), k))
            x[np.arange(len(part)), [las.index(v) for v in part.la]] = 1.0
            post = (part.year == t).to_numpy(float)
            x[:, len(las)] = post
            x[:, len(las) + 1] = post * (part.adoption == g).to_numpy(float)
            for j, cov in enumerate(covariates):
                x[:, len(las) + 2 + j] = part[cov].to_numpy(float)
            blocks.append((part, x, offset))
            treated_t = part[(part.adoption == g) & (part.year == t)]
            cells.append((g, t, offset + len(las) + 1, float(treated_t.weight.sum())))
            offset += k
    x_all = np.zeros((sum(len(p) for p, _, _ in blocks), offset))
    row = 0
    for part, x, start in blocks:
        x_all[row : row + len(part), start : start + x.shape[1]] = x
        row += len(part)
    stack = pd.concat([p for p, _, _ in blocks], ignore_index=True)
    return x_all, stack, cells


def matched_did_goldens(frame):
    out = {}
    for covariates in ((), ("age", "disabled")):
        x, stack, cells = stacked(frame, list(covariates))
        y = stack.rereferral.to_numpy(float)
        w = stack.weight.to_numpy(float)
        cl = stack.la.to_numpy()
        names = [f"x{j}" for j in range(x.shape[1])]
        data = pd.DataFrame(x, columns=names).assign(y=y, w=w, la=cl)
        fit = pf.feols("y ~ 0 + " + " + ".join(names), data=data, vcov={"CRV1": "la"}, weights="w")
        beta = fit.coef().to_numpy()
        vcov = np.asarray(fit._vcov)
        post = [(col, wt) for g, t, col, wt in cells if t >= g]
        c = np.zeros(len(names))
        for col, wt in post:
            c[col] = wt / sum(v for _, v in post)
        var2, df_bm = naive_cr2(x, y - x @ beta, cl, w, c)
        event = {}
        for e in sorted({t - g for g, t, _, _ in cells}):
            chosen = [(col, wt) for g, t, col, wt in cells if t - g == e]
            ce = np.zeros(len(names))
            for col, wt in chosen:
                ce[col] = wt / sum(v for _, v in chosen)
            event[str(e)] = {"estimate": float(ce @ beta), "se_cr1": float(ce @ vcov @ ce) ** 0.5}
        out["covariates" if covariates else "plain"] = {
            "n_obs_stacked": len(stack),
            "cells": [[int(g), int(t), float(beta[col])] for g, t, col, _ in cells],
            "estimate": float(c @ beta),
            "se_cr1": float(c @ vcov @ c) ** 0.5,
            "se_cr2": var2**0.5,
            "df_bm": df_bm,
            "event_study": event,
            "wild_webb": wild_p(x, y, cl, w, c, "webb", 99999, 7),
        }
    return out


def propensity_golden(frame):
    x = sm.add_constant(
        frame[["age", "disabled"]]
        .astype(float)
        .assign(
            y2019=(frame.year == 2019).astype(float),
            y2020=(frame.year == 2020).astype(float),
            y2021=(frame.year == 2021).astype(float),
            y2022=(frame.year == 2022).astype(float),
        )
    )
    fit = sm.Logit(frame.pilot.astype(float), x).fit(disp=0, tol=1e-12, maxiter=200)
    return {"params": fit.params.tolist(), "score": fit.predict(x).tolist()}


def main():
    frame = synthetic_children()
    frame.to_csv(HERE / "synthetic_children.csv", index=False)
    frame = pd.read_csv(HERE / "synthetic_children.csv")
    golden = {
        "versions": {
            p: version(p) for p in ("pyfixest", "wildboottest", "statsmodels", "numpy", "pandas")
        },
        "castle": castle_goldens(),
        "matched_did": matched_did_goldens(frame),
        "propensity": propensity_golden(frame),
    }
    (HERE / "golden.json").write_text(json.dumps(golden, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
