"""Family goals: recovery, interval coverage and test size over many simulated designs.

For each design (framework v contrast sites) and true effect (latent units; 0 = no effect),
simulate ``--seeds`` evaluations with :func:`simulate_family_goals`, analyse them, and report
for the parent-rated and worker-rated T-score: the mean error of the framework-contrast
difference against the truth, the coverage of the 95% site-mean t interval, the rejection
rate of the site-mean t-test and of the site permutation test at 5%, the mean MDE, and the
mean error of Krippendorff's alpha (parent v worker) against its population value.

Run: .venv/bin/python benchmarks/family_goals_recovery.py [--seeds 100]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from csceval.strands.family_goals.analysis import analyse_goal_records
from csceval.strands.family_goals.simulate import GoalsConfig, simulate_family_goals

DESIGNS = {"8 v 2 (the demo's)": (8, 2), "6 v 6": (6, 6), "10 v 10": (10, 10)}


def _read(sim: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    goals, ratings = sim.goals, sim.ratings  # type: ignore[attr-defined]
    ratings = ratings.assign(
        rating=pd.array([None if x == "" else int(x) for x in ratings["rating"]], dtype="Int64"),
        entry=pd.array(ratings["entry"], dtype="Int64"),
    )
    return goals.assign(weight=goals["weight"].astype(float)), ratings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100, help="Simulations per cell.")
    args = parser.parse_args()
    print("| design | effect | rater | mean error | coverage | t-test rejects | "
          "permutation rejects | mean MDE | alpha error |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    start = time.perf_counter()
    for label, (n_f, n_c) in DESIGNS.items():
        sites = tuple((f"{401 + i}", "framework" if i < n_f else "contrast")
                      for i in range(n_f + n_c))  # fmt: skip
        roles = {c: "pilot" if g == "framework" else "contrast" for c, g in sites}
        for effect in (0.0, 0.4):
            config = GoalsConfig(effect=effect, truth_families=400)
            rows: dict[str, list[tuple[float, ...]]] = {"parent": [], "worker": []}
            alpha_err = []
            for seed in range(args.seeds):
                sim = simulate_family_goals(1000 + seed, sites, config)
                result = analyse_goal_records(*_read(sim), roles, n_boot=0, seed=seed)
                truth = sim.truth
                for c in result.comparisons:
                    true = truth["framework_minus_contrast"][c.rater]  # type: ignore[index]
                    rows[c.rater].append((c.difference - true, c.low <= true <= c.high,
                                          c.p_t < 0.05, c.p_permutation < 0.05, c.mde))  # fmt: skip
                a = result.agreement.alpha
                pop = truth["parent_worker_agreement"]["krippendorff_alpha_ordinal"]  # type: ignore[index]
                alpha_err.append((a.estimate if a else np.nan) - pop)
            for rater, values in rows.items():
                v = np.array(values, dtype=float)
                print(f"| {label} | {effect} | {rater} | {v[:, 0].mean():+.2f} | "
                      f"{v[:, 1].mean():.2f} | {v[:, 2].mean():.2f} | {v[:, 3].mean():.2f} | "
                      f"{v[:, 4].mean():.1f} | {np.nanmean(alpha_err):+.3f} |")  # fmt: skip
    print(f"\n{args.seeds} seeds per cell; {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
