"""pysyncon on a subset of ``impact_full.py``'s synthetic-control fits, in the same run.

pysyncon runs in its own virtual environment (``--peer``) as a subprocess on the same data, never
imported here; each package's weights are scored by the same pre-period MSPE computed here.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from csceval.impact.synth import SynthSpec, fit_synth

if TYPE_CHECKING:
    from impact_full import Indicator, Study

PYSYNCON_SCRIPT = r"""
import json, sys, time, warnings
import pandas as pd
warnings.filterwarnings("ignore")
from pysyncon import Dataprep, Synth
jobs = json.load(open(sys.argv[1]))
out = []
for job in jobs:
    df = pd.DataFrame(job["rows"], columns=["unit", "time", "y"])
    pre = job["pre"]
    dp = Dataprep(
        foo=df, predictors=[], predictors_op="mean", dependent="y", unit_variable="unit",
        time_variable="time", treatment_identifier=job["treated"],
        controls_identifier=job["donors"], time_predictors_prior=pre,
        special_predictors=[("y", [t], "mean") for t in pre], time_optimize_ssr=pre,
    )
    row = {}
    runs = [("fixed", {"custom_V": [1.0 / len(pre)] * len(pre)})]
    if job["nested"]:
        runs.append(("nested", {"optim_method": "COBYLA"}))
    for label, kwargs in runs:
        synth = Synth()
        t0 = time.perf_counter()
        synth.fit(dataprep=dp, **kwargs)
        units = dp.make_outcome_mats()[0].columns
        row[label] = {"seconds": time.perf_counter() - t0,
                      "weights": {str(k): float(v) for k, v in zip(units, synth.W)}}
    out.append(row)
print(json.dumps(out))
"""


def _pre_mspe(ind: Indicator, unit: str, start: int, donors: list[str], w: np.ndarray) -> float:
    """Pre-period MSPE of ``w`` over ``donors`` (years in which the pilot is observed)."""
    y = np.asarray(ind.panel.values[ind.name])
    cols = {u: i for i, u in enumerate(ind.panel.units)}
    times = np.asarray(ind.panel.times)
    pre = (times < start) & np.isfinite(y[:, cols[unit]])
    gap = y[pre, cols[unit]] - y[np.ix_(pre, [cols[d] for d in donors])] @ w
    return float(np.mean(gap**2))


def pysyncon_compare(study: Study, python: str, n_fits: int, n_nested: int) -> list[dict[str, Any]]:
    """Fit pilot i on indicator i with csceval and pysyncon (fixed V; nested V on the first
    ``n_nested``)."""
    pairs = list(zip(study.pilots.items(), study.indicators, strict=False))[:n_fits]
    jobs: list[dict[str, Any]] = []
    ours: list[tuple[str, int, Indicator, list[str], np.ndarray, float]] = []
    for (unit, start), ind in pairs:
        t0 = time.perf_counter()
        fit = fit_synth(ind.panel, SynthSpec(ind.name), unit, start, study.donors)
        seconds = time.perf_counter() - t0
        donors = sorted(fit.weights)  # the pool csceval used (donors with complete data)
        w = np.array([fit.weights[d] for d in donors])
        times = np.asarray(ind.panel.times)
        y = np.asarray(ind.panel.values[ind.name])
        col = ind.panel.units.index(unit)
        pre = [int(t) for t in times[(times < start) & np.isfinite(y[:, col])]]
        keep = [unit, *donors]
        rows = [
            [u, int(t), float(y[i, ind.panel.units.index(u)])]
            for u in keep
            for i, t in enumerate(times)
            if np.isfinite(y[i, ind.panel.units.index(u)])
        ]
        nested = len(jobs) < n_nested
        jobs.append({"treated": unit, "donors": donors, "pre": pre, "rows": rows, "nested": nested})
        ours.append((unit, start, ind, donors, w, seconds))
    with tempfile.TemporaryDirectory() as tmp:
        path, script = Path(tmp) / "jobs.json", Path(tmp) / "peer.py"
        path.write_text(json.dumps(jobs))
        script.write_text(PYSYNCON_SCRIPT)
        proc = subprocess.run([python, str(script), str(path)], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"pysyncon run failed:\n{proc.stderr[-3000:]}")
    peer = json.loads(proc.stdout)
    table = []
    for (unit, start, ind, donors, w, seconds), theirs in zip(ours, peer, strict=True):
        row: dict[str, Any] = {
            "pilot": unit,
            "start": start,
            "indicator": ind.name,
            "donors": len(donors),
            "csceval_s": seconds,
            "csceval_mspe": _pre_mspe(ind, unit, start, donors, w),
        }
        for label in theirs:
            pw = np.array([theirs[label]["weights"].get(d, 0.0) for d in donors])
            row[f"{label}_s"] = theirs[label]["seconds"]
            row[f"{label}_mspe"] = _pre_mspe(ind, unit, start, donors, pw)
        table.append(row)
    return table
