"""Benchmark: synthetic control with full placebo inference on an LA-sized panel, and published
covariate specifications against the peer.

Builds a seeded, LA-like panel (150 units x 16 years x 12 outcomes; 10 pilots adopting in
2016-2019; unit effects + unit trends + two random-walk factors + noise; true effect -0.5) and
times, for all 12 outcomes:

- ``pooled``: :func:`pooled_synth` (each pilot's fit, its in-space placebos - shared by pilots
  with the same start date - and the pooled permutation test with 999 draws, each pseudo-pilot
  refitted from the donors outside its draw);
- ``per-pilot``: :func:`placebo_in_space` for each pilot separately (every placebo refitted for
  every pilot: 12 x 10 x (1 + 140) = 16,920 fits);
- the same two on 2 worker processes (outcomes split between them; the estimators run with one
  BLAS thread, :mod:`csceval.impact.synth_blas`);
- ``v_method="nested"``: one fit per pilot for one outcome, with R Synth's two starts and with
  the multistart default (the cost of multistart);
- ``--nested-placebos``: :func:`pooled_synth` with ``v_method="nested"`` for every fit and
  placebo (two starts; slow).

Then the published covariate specifications (Prop 99, ADH 2010: ``../shared/data/reference``;
Basque Country, Abadie & Gardeazabal 2003: R Synth's ``basque`` data from ``$CSCEVAL_SYNTH_DATA``
or ``../shared/data/reference``, skipped without it): one nested-V fit with
two starts and with multistart, and, when a peer venv exists (``--peer``, default
``/tmp/peer/bin/python`` with pysyncon; see ``benchmarks/impact_full.py``), pysyncon's nested fit
(Nelder-Mead from equal V, its default) in the same run, as a subprocess. Loss = the outcome MSPE
over the loss window of each package's weights, computed here on the same data.

Run: .venv/bin/python benchmarks/synth_inference.py [--repeat 3] [--v-method regression]
[--nested-placebos] [--peer PYTHON]. Prints markdown tables with ``uptime`` before and after;
writes nothing.
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
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csceval.impact.synth import (
    Predictor,
    SynthPanel,
    SynthSpec,
    fit_synth,
    placebo_in_space,
    pooled_synth,
)
from csceval.impact.synth_data import VMethod

ROOT = Path(__file__).resolve().parents[1]
PROP99 = ROOT.parent / "shared" / "data" / "reference" / "prop99_smoking_long.csv"
BASQUE = Path(os.environ.get("CSCEVAL_SYNTH_DATA", ROOT.parent / "shared" / "data" / "reference"))
BASQUE = BASQUE / "basque.csv"  # R Synth's data set; not in the repository (skipped without it)
DEFAULT_PEER = "/tmp/peer/bin/python"

N_UNITS, YEARS, N_OUTCOMES = 150, tuple(range(2010, 2026)), 12
PILOTS = {f"P{i:02d}": t for i, t in enumerate([2016] * 2 + [2017] * 2 + [2018] * 2 + [2019] * 4)}
EFFECT = -0.5
NOISE_SD = 0.3


def make_panel(seed: int = 2024) -> SynthPanel:
    """Seeded LA-like panel: unit effects, unit trends, two random-walk factors, noise."""
    rng = np.random.default_rng(seed)
    units = [*PILOTS, *(f"D{i:03d}" for i in range(N_UNITS - len(PILOTS)))]
    t = np.arange(len(YEARS), dtype=np.float64)
    values = {}
    for o in range(N_OUTCOMES):
        level = rng.normal(50, 5, N_UNITS)
        trend = rng.normal(0, 0.1, N_UNITS)
        loadings = rng.normal(1, 0.3, (N_UNITS, 2))
        factors = np.cumsum(rng.normal(0, 1, (len(YEARS), 2)), axis=0)
        noise = rng.normal(0, NOISE_SD, (len(YEARS), N_UNITS))
        y = level + np.outer(t, trend) + factors @ loadings.T + noise
        for u, start in PILOTS.items():
            y[np.asarray(YEARS) >= start, units.index(u)] += EFFECT
        values[f"y{o:02d}"] = y
    return SynthPanel(units=tuple(units), times=YEARS, values=values)


Row = tuple[str, float, float, float]


def run_pooled(panel: SynthPanel, outcomes: list[str], v_method: VMethod) -> list[Row]:
    out = []
    for o in outcomes:
        res = pooled_synth(panel, SynthSpec(o, v_method=v_method), PILOTS, n_draws=999, seed=1)
        p_unit = statistics.median(pl.p_value for pl in res.placebos.values())
        out.append((o, res.att, res.p_value, p_unit))
    return out


def run_per_pilot(panel: SynthPanel, outcomes: list[str], v_method: VMethod) -> int:
    donors = [u for u in panel.units if u not in PILOTS]
    fits = 0
    for o in outcomes:
        spec = SynthSpec(o, v_method=v_method)
        for u, start in PILOTS.items():
            res = placebo_in_space(panel, spec, u, start, donors)
            fits += 1 + res.n_placebos
    return fits


def _split(outcomes: list[str], n: int) -> list[list[str]]:
    return [outcomes[i::n] for i in range(n)]


def _worker_pooled(args: tuple[list[str], VMethod]) -> list[Row]:
    return run_pooled(make_panel(), *args)


def _worker_per_pilot(args: tuple[list[str], VMethod]) -> int:
    return run_per_pilot(make_panel(), *args)


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "uptime not available"


# -- published covariate specifications, against pysyncon ---------------------------------------

# (name, csv, unit, outcome, treated, treatment, loss window, predictors as
# (variable, [years]) - a list of years is a mean over them, as pysyncon's special predictors)
PUBLISHED: tuple[tuple[str, Path, str, str, str, int, tuple[int, int], list[Any]], ...] = (
    (
        "Prop 99 (ADH 2010)",
        PROP99,
        "state",
        "cigsale",
        "California",
        1989,
        (1970, 1988),
        [
            ["lnincome", list(range(1980, 1989))],
            ["retprice", list(range(1980, 1989))],
            ["age15to24", list(range(1980, 1989))],
            ["beer", list(range(1984, 1989))],
            ["cigsale", [1975]],
            ["cigsale", [1980]],
            ["cigsale", [1988]],
        ],
    ),
    (
        "Basque Country (Abadie & Gardeazabal 2003)",
        BASQUE,
        "regionname",
        "gdpcap",
        "Basque Country (Pais Vasco)",
        1970,
        (1960, 1969),
        [
            *([v, list(range(1964, 1970))] for v in
              ("school.illit", "school.prim", "school.med", "school.high", "school.post.high",
               "invest")),
            ["gdpcap", list(range(1960, 1970))],
            *([v, [1961, 1963, 1965, 1967, 1969]] for v in
              ("sec.agriculture", "sec.energy", "sec.industry", "sec.construction",
               "sec.services.venta", "sec.services.nonventa")),
            ["popdens", [1969]],
        ],
    ),
)  # fmt: skip

PYSYNCON_SCRIPT = r"""
import json, sys, time, warnings
import pandas as pd
warnings.filterwarnings("ignore")
from pysyncon import Dataprep, Synth
out = []
for job in json.load(open(sys.argv[1])):
    df = pd.read_csv(job["csv"])
    donors = job["donors"]
    dp = Dataprep(
        foo=df, predictors=[], predictors_op="mean", dependent=job["outcome"],
        unit_variable=job["unit"], time_variable="year", treatment_identifier=job["treated"],
        controls_identifier=donors, time_predictors_prior=[job["window"][0]],
        special_predictors=[(v, years, "mean") for v, years in job["predictors"]],
        time_optimize_ssr=list(range(job["window"][0], job["window"][1] + 1)),
    )
    synth = Synth()
    t0 = time.perf_counter()
    synth.fit(dataprep=dp, optim_method="Nelder-Mead", optim_initial="equal")
    seconds = time.perf_counter() - t0
    units = dp.make_outcome_mats()[0].columns
    out.append({"seconds": seconds, "weights": {str(k): float(v) for k, v in zip(units, synth.W)}})
print(json.dumps(out))
"""


def _published_panel(csv: Path, unit: str) -> SynthPanel:
    frame = pd.read_csv(csv)
    frame = frame.drop(columns=[c for c in ("regionno",) if c in frame.columns])
    return SynthPanel.from_long(frame, unit=unit, time="year")


def _mspe(panel: SynthPanel, outcome: str, treated: str, window: tuple[int, int],
          weights: dict[str, float]) -> float:  # fmt: skip
    y = panel.variable(outcome)
    times = np.asarray(panel.times)
    keep = (times >= window[0]) & (times <= window[1])
    synth = sum(w * y[:, panel.index_of(u)] for u, w in weights.items())
    gap = y[keep, panel.index_of(treated)] - np.asarray(synth)[keep]
    return float(np.mean(gap**2))


def published_rows(peer: str | None) -> list[tuple[str, str, float, float]]:
    """(specification, fit, seconds, loss) for csceval's two nested variants and the peer."""
    rows: list[tuple[str, str, float, float]] = []
    jobs: list[dict[str, Any]] = []
    for name, csv, unit, outcome, treated, start, window, preds in PUBLISHED:
        if not csv.is_file():
            print(f"skipped {name}: {csv} not found")
            continue
        panel = _published_panel(csv, unit)
        predictors = tuple(Predictor.over(v, years) for v, years in preds)
        donors = [u for u in panel.units if u != treated]
        for label, multistart in (
            ("csceval, two starts", False),
            ("csceval, multistart", True),
        ):
            spec = SynthSpec(outcome, predictors=predictors, v_method="nested",
                             optimize_window=window, nested_multistart=multistart)  # fmt: skip
            t0 = time.perf_counter()
            fit = fit_synth(panel, spec, treated, start, donors)
            seconds = time.perf_counter() - t0
            rows.append((name, label, seconds, _mspe(panel, outcome, treated, window, fit.weights)))
        jobs.append({"csv": str(csv), "unit": unit, "outcome": outcome, "treated": treated,
                     "donors": donors, "window": list(window), "predictors": preds,
                     "name": name})  # fmt: skip
    if peer is None or not jobs:
        return rows
    with tempfile.TemporaryDirectory() as tmp:
        path, script = Path(tmp) / "jobs.json", Path(tmp) / "peer.py"
        path.write_text(json.dumps(jobs))
        script.write_text(PYSYNCON_SCRIPT)
        proc = subprocess.run([peer, str(script), str(path)], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"pysyncon run failed:\n{proc.stderr[-3000:]}")
    for job, theirs in zip(jobs, json.loads(proc.stdout), strict=True):
        panel = _published_panel(Path(job["csv"]), job["unit"])
        loss = _mspe(panel, job["outcome"], job["treated"], tuple(job["window"]),
                     theirs["weights"])  # fmt: skip
        label = "pysyncon 1.7.0 (Nelder-Mead from equal V)"
        rows.append((str(job["name"]), label, float(theirs["seconds"]), loss))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--v-method", default="regression", choices=["regression", "equal"])
    parser.add_argument(
        "--nested-placebos", action="store_true", help="also time nested V for every placebo"
    )
    parser.add_argument("--peer", default=DEFAULT_PEER, help="Python of a venv with pysyncon")
    args = parser.parse_args()
    print(f"uptime before: {uptime()}")
    vm: VMethod = "equal" if args.v_method == "equal" else "regression"
    panel = make_panel()
    outcomes = sorted(panel.values)
    rows = []
    t_pool, res = timed(lambda: run_pooled(panel, outcomes, vm), args.repeat)
    rows.append(("pooled_synth, 12 outcomes (placebos shared per cohort), 1 process", t_pool))
    t_pp, fits = timed(lambda: run_per_pilot(panel, outcomes, vm), args.repeat)
    rows.append((f"placebo_in_space per pilot, 12 x 10 pilots ({fits} fits), 1 process", t_pp))
    with ProcessPoolExecutor(2) as ex:
        list(ex.map(_worker_pooled, [([outcomes[0]], vm)] * 2))  # warm the workers
        jobs = [(s, vm) for s in _split(outcomes, 2)]
        t2, _ = timed(lambda: list(ex.map(_worker_pooled, jobs)), args.repeat)
        rows.append(("pooled_synth, 12 outcomes, 2 processes", t2))
        t3, _ = timed(lambda: sum(ex.map(_worker_per_pilot, jobs)), args.repeat)
        rows.append((f"placebo_in_space per pilot ({fits} fits), 2 processes", t3))
    donors = [d for d in panel.units if d not in PILOTS]
    losses = {}
    for label, multistart in (("R's two starts", False), ("multistart (default)", True)):
        spec_n = SynthSpec(outcomes[0], v_method="nested", nested_multistart=multistart)

        def nested_fits(spec: SynthSpec = spec_n) -> list[Any]:
            return [fit_synth(panel, spec, u, s, donors) for u, s in PILOTS.items()]

        t_n, fits_n = timed(nested_fits, args.repeat)
        assert isinstance(fits_n, list)
        losses[label] = [f.loss_v for f in fits_n]
        rows.append((f"v_method='nested', {label}: 10 pilot fits, 1 outcome, 1 process", t_n))
    if args.nested_placebos:
        t_np, _ = timed(lambda: run_pooled(panel, outcomes, "nested"), 1)
        rows.append(("pooled_synth, v_method='nested' for every fit, 12 outcomes, 1 process", t_np))

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"Synthetic control inference benchmark; {machine}; V = {vm}; median of {args.repeat}")
    print(f"Panel: {N_UNITS} units x {len(YEARS)} years x {N_OUTCOMES} outcomes; pilots {PILOTS}")
    print()
    print("| task | seconds |")
    print("|---|---|")
    for name, sec in rows:
        print(f"| {name} | {sec:.2f} |")
    print()
    print(
        f"| outcome | pooled ATT (true {EFFECT}) | pooled p (999 draws) "
        "| median per-pilot RMSPE-ratio p |"
    )
    print("|---|---|---|---|")
    assert isinstance(res, list)
    for o, att, p, pu in res:
        print(f"| {o} | {att:.3f} | {p:.3f} | {pu:.3f} |")
    two, multi = losses["R's two starts"], losses["multistart (default)"]
    print()
    print(
        f"Nested V on {outcomes[0]}, 10 pilots: multistart loss <= two-start loss on "
        f"{sum(m <= t * (1 + 1e-12) for m, t in zip(multi, two, strict=True))} of 10; lower "
        f"on {sum(m < t * (1 - 1e-9) for m, t in zip(multi, two, strict=True))}; mean ratio "
        f"{statistics.mean(m / t for m, t in zip(multi, two, strict=True) if t > 0):.3f}"
    )
    peer = args.peer if Path(args.peer).is_file() else None
    print()
    print(f"Published specifications, one nested-V fit each (peer: {peer or 'not found'})")
    print("| specification | fit | seconds | loss (MSPE over the loss window) |")
    print("|---|---|---|---|")
    for name, label, sec, loss in published_rows(peer):
        print(f"| {name} | {label} | {sec:.2f} | {loss:.6g} |")
    print(f"\nuptime after: {uptime()}")


if __name__ == "__main__":
    main()
