"""Regenerate the ITS golden files with statsmodels (not a project dependency).

Run from this folder with a throwaway environment:

    python3 -m venv /tmp/impact-venv && /tmp/impact-venv/bin/pip install statsmodels pandas
    /tmp/impact-venv/bin/python generate.py

Writes ``its_series.csv`` (a pilot and three comparison LAs, 2010-2024, AR(1) noise, seeded)
and ``its_statsmodels_hac.csv`` (OLS of the pilot-minus-comparison-mean series on the
segmented design, Newey-West HAC SEs for several lags, from statsmodels).
"""

import numpy as np
import pandas as pd
import statsmodels.api as sm

rng = np.random.default_rng(20261126)
years = np.arange(2010, 2025)
start = 2018
shock = rng.normal(0, 2, len(years)).cumsum()
series = {}
for name, base in (("pilot", 50.0), ("comp_a", 45.0), ("comp_b", 55.0), ("comp_c", 48.0)):
    e = np.zeros(len(years))
    for i in range(len(years)):
        e[i] = (0.5 * e[i - 1] if i else 0.0) + rng.normal(0, 1.5)
    series[name] = base + 0.3 * (years - 2010) + shock + e
post = years >= start
series["pilot"] = series["pilot"] - 3.0 * post - 0.5 * post * (years - start)
pd.DataFrame({"year": years, **series}).to_csv("its_series.csv", index=False, float_format="%.12g")

frame = pd.read_csv("its_series.csv")
d = frame["pilot"] - frame[["comp_a", "comp_b", "comp_c"]].mean(axis=1)
t = frame["year"] - start
x = np.column_stack([np.ones(len(t)), t, (t >= 0), (t >= 0) * t]).astype(float)
rows = []
for lags in (0, 1, 2, 3):
    fit = sm.OLS(d.to_numpy(), x).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True
    )
    for i, term in enumerate(("intercept", "pre_trend", "level_change", "slope_change")):
        rows.append(
            {
                "lags": lags,
                "term": term,
                "coef": fit.params[i],
                "se": fit.bse[i],
                "p_value": fit.pvalues[i],
            }
        )
pd.DataFrame(rows).to_csv("its_statsmodels_hac.csv", index=False, float_format="%.15g")
