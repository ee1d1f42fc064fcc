"""Baseline/follow-up comparison of pilots against comparators, with a permutation test.

For pilots that adopted before an indicator's data begin, no estimator with a pre-period can
run; the reference evaluation's own comparison still can: each pilot's level against its
comparators in a *baseline* window, and the change from the baseline to a *follow-up* window
against the comparators' change (Baginsky et al. 2020 used 2013-16 and 2018-20).

Notes
-----
- A window's value for an LA is the mean of the years in the window that it has (at least
  one); an LA with no value in either window is left out, with the reason.
- A pilot's comparators are its own (e.g. its statistical neighbours that are not adopters)
  when given, else the whole comparator pool. The per-pilot rows are descriptive.
- The tests are over LA labels: the statistic is the mean over pilots minus the mean over the
  comparator pool (of the baseline level, and of the change); under the null that the labels
  are exchangeable, the pilot label is re-drawn :attr:`n_permutations` times among the pilots
  and the pool together. Two-sided p = (1 + #{|T*| >= |T|}) / (1 + draws). Values are on the
  indicator's own scale (no weighting by population), as the reference's tables were.
- This is a comparison, not an effect estimate: a pilot that had adopted before the baseline
  window is already treated in it, so the change measures whether the gap moved, nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csceval.impact.baseline_followup_result import (
    BaselineFollowupResult,
    CausalEntry,
    PilotComparison,
    Windows,
)

__all__ = [
    "BaselineFollowupResult",
    "CausalEntry",
    "PilotComparison",
    "Windows",
    "baseline_followup",
    "causal_entry",
    "latest_unbroken_span",
]


@dataclass(frozen=True)
class _Window:
    first: int
    last: int
    label: str = field(default="")

    def mean(self, values: pd.DataFrame) -> pd.Series:
        cols = [c for c in values.columns if self.first <= int(c) <= self.last]
        return values[cols].mean(axis=1, skipna=True) if cols else pd.Series(np.nan, values.index)


def _permutation_p(
    pooled: np.ndarray, n_pilots: int, observed: float, draws: int, seed: int
) -> float:
    """Two-sided p-value of mean(first n) - mean(rest) under random relabelling."""
    if n_pilots == 0 or n_pilots >= len(pooled) or not np.isfinite(observed):
        return float("nan")
    rng = np.random.default_rng(seed)
    keys = rng.random((draws, len(pooled)))
    order = np.argsort(keys, axis=1)
    chosen = np.zeros_like(keys, dtype=bool)
    np.put_along_axis(chosen, order[:, :n_pilots], True, axis=1)
    total = pooled.sum()
    first = (chosen * pooled).sum(axis=1)
    stats = first / n_pilots - (total - first) / (len(pooled) - n_pilots)
    extreme = np.abs(stats) >= abs(observed) - 1e-12
    return float((1 + extreme.sum()) / (1 + draws))


def baseline_followup(
    values: pd.DataFrame,
    pilots: Sequence[str],
    comparators: Sequence[str],
    *,
    windows: Windows | None = None,
    own_comparators: Mapping[str, Sequence[str]] | None = None,
    n_permutations: int = 9999,
    seed: int = 20180401,
) -> BaselineFollowupResult:
    """Compare pilots with comparators in a baseline and a follow-up window.

    ``values``: LAs (index, 3-digit codes) x years (columns), NaN where suppressed or missing.
    """
    win = windows or Windows()
    base = _Window(*win.baseline).mean(values)
    follow = _Window(*win.followup).mean(values)
    change = follow - base
    pool = [c for c in dict.fromkeys(comparators) if c not in set(pilots)]
    pool_base = [c for c in pool if np.isfinite(base.get(c, np.nan))]
    pool_change = [c for c in pool if np.isfinite(change.get(c, np.nan))]
    rows: list[PilotComparison] = []
    for code in pilots:
        own = [c for c in (own_comparators or {}).get(code, pool) if c in set(pool)] or pool
        b, f = float(base.get(code, np.nan)), float(follow.get(code, np.nan))
        cb = float(base.reindex(own).mean())
        cf = float(follow.reindex(own).mean())
        cc = float(change.reindex(own).mean())
        if not np.isfinite(b):
            reason = f"no value in the baseline window {win.text('baseline')}"
        elif not np.isfinite(f):
            reason = f"no value in the follow-up window {win.text('followup')}"
        elif not np.isfinite(cc):
            reason = "its comparators have no value in both windows"
        else:
            reason = ""
        rows.append(
            PilotComparison(
                la_code=code,
                baseline=b,
                comparators_baseline=cb,
                followup=f,
                comparators_followup=cf,
                change=f - b,
                comparators_change=cc,
                n_comparators=int(change.reindex(own).notna().sum()),
                entered=not reason,
                reason=reason,
            )
        )
    level_pilots = [r.la_code for r in rows if np.isfinite(r.baseline)]
    change_pilots = [r.la_code for r in rows if r.entered]
    level_gap = float(base.reindex(level_pilots).mean() - base.reindex(pool_base).mean())
    change_gap = float(change.reindex(change_pilots).mean() - change.reindex(pool_change).mean())
    p_level = _permutation_p(
        base.reindex([*level_pilots, *pool_base]).to_numpy(float),
        len(level_pilots),
        level_gap,
        n_permutations,
        seed,
    )
    p_change = _permutation_p(
        change.reindex([*change_pilots, *pool_change]).to_numpy(float),
        len(change_pilots),
        change_gap,
        n_permutations,
        seed + 1,
    )
    return BaselineFollowupResult(
        windows=win,
        pilots=tuple(rows),
        baseline_gap=level_gap,
        change_difference=change_gap,
        p_baseline=p_level,
        p_change=p_change,
        n_comparators_baseline=len(pool_base),
        n_comparators_change=len(pool_change),
        n_permutations=n_permutations,
    )


def latest_unbroken_span(values: pd.DataFrame) -> list[int]:
    """The latest run of consecutive years in which any LA has a value."""
    years = sorted(int(c) for c in values.columns[values.notna().any(axis=0).to_numpy()])
    if not years:
        return []
    run = [years[-1]]
    for year in reversed(years[:-1]):
        if year != run[0] - 1:
            break
        run.insert(0, year)
    return run


def causal_entry(
    values: pd.DataFrame, adoption: Mapping[str, int], *, min_pre_years: int = 2
) -> dict[str, CausalEntry]:
    """Which pilots the causal estimators (synthetic control, DiD, SDiD, ITS) can use.

    Mirrors the impact strand's data rule: the indicator's latest unbroken span of years, a
    value in every year of it, and at least ``min_pre_years`` years before adoption (the
    adoption year counts as treated) with adoption inside the span.
    """
    span = latest_unbroken_span(values)
    out: dict[str, CausalEntry] = {}
    for code, year in adoption.items():
        if not span:
            out[code] = CausalEntry(code, year, 0, False, "the indicator has no values")
            continue
        pre = max(0, min(year, span[-1] + 1) - span[0])
        row = values.reindex(index=[code], columns=span)
        missing = [
            y for y, v in zip(span, row.iloc[0].to_numpy(), strict=True) if not np.isfinite(v)
        ]
        if year > span[-1]:
            reason = f"adopted after the data end ({span[-1]})"
        elif pre < min_pre_years:
            reason = (
                f"{pre} year(s) before adoption in {span[0]}-{span[-1]} (needs {min_pre_years})"
            )
        elif missing:
            reason = f"a suppressed or missing value in {', '.join(map(str, missing[:3]))}"
        else:
            reason = ""
        out[code] = CausalEntry(code, year, pre, not reason, reason)
    return out
