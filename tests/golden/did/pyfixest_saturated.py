"""Regenerate ``pyfixest_saturated_mpdta.csv`` (pyfixest is not a project dependency).

Run from this folder with a throwaway environment:

    python3 -m venv /tmp/impact-venv && /tmp/impact-venv/bin/pip install pyfixest
    /tmp/impact-venv/bin/python pyfixest_saturated.py

The saturated cohort x event-time event study (Sun and Abraham 2021's interacted regression)
of ``lemp`` on mpdta with unit and year fixed effects, never-treated units as the only
controls, reference period -1: ``pf.event_study(..., estimator="saturated")``. Writes the
coefficient, its cluster-robust SE (by county) and the cohort's size.
"""

import pandas as pd
import pyfixest as pf

data = pd.read_csv("../../../../shared/data/reference/mpdta.csv")
data = data.rename(columns={"first.treat": "first_treat"})
fit = pf.event_study(
    data=data,
    yname="lemp",
    idname="countyreal",
    tname="year",
    gname="first_treat",
    estimator="saturated",
)
tidy = fit.tidy().reset_index()
parts = tidy["Coefficient"].str.extract(r"rel_time::(-?\d+)\.0:first_treated_period::(\d+)")
sizes = data.groupby("first_treat")["countyreal"].nunique()
out = pd.DataFrame(
    {
        "cohort": parts[1].astype(int),
        "event_time": parts[0].astype(int),
        "estimate": tidy["Estimate"],
        "se_crv1": tidy["Std. Error"],
    }
)
out["cohort_size"] = out["cohort"].map(sizes)
out["pyfixest"] = pf.__version__
out.sort_values(["cohort", "event_time"]).to_csv(
    "pyfixest_saturated_mpdta.csv", index=False, float_format="%.15g"
)
