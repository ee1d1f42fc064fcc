"""Benchmark: Callaway & Sant'Anna DiD with multiplier-bootstrap inference for 12 outcomes.

Times ``att_gt`` (doubly robust, never-treated comparison, 999-draw Rademacher bootstrap with a
uniform band) plus the dynamic (event-study) aggregation, on a seeded LA-like panel: 150 units
x 16 periods, 10 treated units in 4 cohorts, 12 outcomes (``y = a_i + b_t + lambda_i' f_t + e``
with two random-walk factors; true effect -0.5 from adoption). Prints a table; writes nothing.

With ``--peer PYTHON`` (the interpreter of a separate, throwaway venv with ``csdid``, e.g.
``python3 -m venv /tmp/peer-did && /tmp/peer-did/bin/pip install csdid``; never the project
venv) it also runs csdid on the same panel and on ``mpdta`` and reports the agreement of the
analytic results and the time ratio of the bootstrap runs.

Run: .venv/bin/python benchmarks/did_inference.py [--repeat 3] [--peer /tmp/peer-did/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csceval.impact.did import AggregateResult, ATTgtResult, aggte, att_gt

MPDTA = Path(__file__).resolve().parents[2] / "shared" / "data" / "reference" / "mpdta.csv"
OUTCOMES = [f"out{k:02d}" for k in range(1, 13)]
COHORTS = {2016: 2, 2017: 2, 2018: 3, 2019: 3}


@dataclass(frozen=True)
class Job:
    """A panel and the outcomes to estimate on it."""

    label: str
    data: pd.DataFrame
    outcomes: list[str]
    unit: str
    time: str
    group: str


def simulate_panel(seed: int = 2018, n_units: int = 150, first: int = 2010) -> pd.DataFrame:
    """LA-like panel: two random-walk factors, unit and year effects, effect -0.5 on adoption."""
    rng = np.random.default_rng(seed)
    years = np.arange(first, first + 16)
    cohort = np.zeros(n_units)
    start = 0
    for year, size in COHORTS.items():
        cohort[start : start + size] = year
        start += size
    data: dict[str, Any] = {
        "la": np.repeat(np.arange(1, n_units + 1), len(years)),
        "year": np.tile(years, n_units),
        "first_treat": np.repeat(cohort, len(years)),
    }
    treated = (data["first_treat"] > 0) & (data["year"] >= data["first_treat"])
    for name in OUTCOMES:
        unit_fe = rng.normal(0, 1, n_units)
        year_fe = np.cumsum(rng.normal(0, 0.2, len(years)))
        factors = np.cumsum(rng.normal(0, 0.3, (len(years), 2)), axis=0)
        loadings = rng.normal(0, 1, (n_units, 2))
        y = unit_fe[:, None] + year_fe[None, :] + loadings @ factors.T
        data[name] = y.ravel() + rng.normal(0, 0.3, y.size) - 0.5 * treated
    return pd.DataFrame(data)


def run_native(job: Job, inference: str) -> dict[str, tuple[ATTgtResult, AggregateResult]]:
    """``att_gt`` plus the dynamic aggregation for every outcome of the job."""
    out = {}
    for name in job.outcomes:
        res = att_gt(
            job.data,
            name,
            unit=job.unit,
            time=job.time,
            group=job.group,
            inference=inference,
            n_boot=999,
            seed=1,
        )
        out[name] = (res, aggte(res, "dynamic"))
    return out


def measure(job: Job, repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"analytic": [], "bootstrap": []}
    for _ in range(repeat):
        for inference, spent in times.items():
            t0 = time.perf_counter()
            run_native(job, inference)
            spent.append(time.perf_counter() - t0)
    return times


PEER_SCRIPT = r"""
import contextlib, io, json, sys, time, warnings
import pandas as pd
warnings.filterwarnings("ignore")
from csdid.att_gt import ATTgt
path, y_names = sys.argv[1], sys.argv[2].split(",")
unit, tvar, gvar, repeat = sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
df = pd.read_csv(path)
out = {"results": {}, "times": {"analytic": [], "bootstrap": []}}
with contextlib.redirect_stdout(io.StringIO()):
    for rep in range(repeat):
        for bstrap in (False, True):
            t0 = time.perf_counter()
            for y in y_names:
                m = ATTgt(yname=y, tname=tvar, idname=unit, gname=gvar, data=df,
                          biters=999, cband=bstrap)
                m.fit(est_method="dr", bstrap=bstrap)
                m.aggte(typec="dynamic", bstrap=bstrap)
                if rep == 0 and not bstrap:
                    r, a = m.results, m.atte
                    out["results"][y] = {
                        "group": list(map(float, r["group"])),
                        "time": list(map(float, r["year"])),
                        "att": list(map(float, r["att"])),
                        "se": list(map(float, r["se"])),
                        "dyn": [float(a["overall_att"]), float(a["overall_se"])],
                        "dyn_egt": list(map(float, a["att_egt"])),
                    }
            out["times"]["bootstrap" if bstrap else "analytic"].append(time.perf_counter() - t0)
print(json.dumps(out).replace("NaN", "null"))
"""


def run_peer(python: str, job: Job, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path, script = Path(tmp) / "panel.csv", Path(tmp) / "peer.py"
        job.data.to_csv(path, index=False)
        script.write_text(PEER_SCRIPT)
        cmd = [python, str(script), str(path), ",".join(job.outcomes)]
        cmd += [job.unit, job.time, job.group, str(repeat)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def agreement(
    native: dict[str, tuple[ATTgtResult, AggregateResult]], peer: dict[str, Any]
) -> dict[str, float]:
    """Largest absolute differences over all outcomes: ATT(g,t), their SEs, event study."""
    diffs = {"att": 0.0, "se": 0.0, "dynamic": 0.0}
    for name, (res, dyn) in native.items():
        ref = peer["results"][name]
        other = pd.DataFrame({k: ref[k] for k in ("group", "time", "att", "se")})
        both = res.to_frame().merge(other, on=["group", "time"], suffixes=("", "_peer"))
        if len(both) != len(res.att) or len(both) != len(other):
            raise RuntimeError(f"{name}: csdid and csceval estimate different cells")
        diffs["att"] = max(diffs["att"], float(np.abs(both.att - both.att_peer).max()))
        diffs["se"] = max(diffs["se"], float(np.nanmax(np.abs(both.se - both.se_peer))))
        gaps = [abs(dyn.overall_att - ref["dyn"][0]), abs(dyn.overall_se - ref["dyn"][1])]
        gaps.append(float(np.abs(dyn.att - np.asarray(ref["dyn_egt"])).max()))
        diffs["dynamic"] = max(diffs["dynamic"], *gaps)
    return diffs


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer", help="Python of a separate venv with csdid installed")
    args = parser.parse_args()

    la = Job("LA panel, 12 outcomes", simulate_panel(), OUTCOMES, "la", "year", "first_treat")
    times = measure(la, args.repeat)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"csceval DiD: 150 units x 16 periods, 4 cohorts (10 treated), 12 outcomes; {machine}")
    print(f"att_gt (DR, never-treated) + dynamic aggte for all 12 outcomes; {args.repeat} runs")
    print("| inference | median (s) | min (s) | max (s) | per outcome (ms) |")
    print("|---|---|---|---|---|")
    for label, v in times.items():
        name = "999-draw bootstrap + uniform band" if label == "bootstrap" else "analytic"
        med = statistics.median(v)
        print(f"| {name} | {med:.3f} | {min(v):.3f} | {max(v):.3f} | {1000 * med / 12:.1f} |")
    native = run_native(la, "analytic")
    mean_dyn = np.mean([dyn.overall_att for _, dyn in native.values()])
    print(f"mean event-study ATT over the outcomes: {mean_dyn:.3f} (true -0.5)")
    if not args.peer:
        return

    print("\ncsdid (separate venv) on the same jobs: analytic agreement, bootstrap time ratio")
    print("| data | max abs diff ATT(g,t) | SE | event study | csdid analytic (s) |", end="")
    print(" csdid B=999 (s) | csceval B=999 (s) | csdid / csceval |")
    print("|---|---|---|---|---|---|---|---|")
    jobs = [(la, native, statistics.median(times["bootstrap"]))]
    if MPDTA.is_file():
        mp = Job("mpdta", pd.read_csv(MPDTA), ["lemp"], "countyreal", "year", "first.treat")
        jobs.append(
            (mp, run_native(mp, "analytic"), statistics.median(measure(mp, 3)["bootstrap"]))
        )
    for job, got, own in jobs:
        peer = run_peer(args.peer, job, args.repeat)
        diff = agreement(got, peer)
        theirs = {k: statistics.median(v) for k, v in peer["times"].items()}
        print(
            f"| {job.label} | {diff['att']:.1e} | {diff['se']:.1e} | {diff['dynamic']:.1e} | "
            f"{theirs['analytic']:.3f} | {theirs['bootstrap']:.3f} | {own:.3f} | "
            f"{theirs['bootstrap'] / own:.1f}x |"
        )


if __name__ == "__main__":
    main()
