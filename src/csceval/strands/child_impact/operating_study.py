"""The operating characteristics of the child-level verdict rule, from null worlds' test rows.

The rows are ``benchmarks/child_impact_null_cache.py test``'s (one per world and outcome, with
``null``, ``p_cr2`` and ``p_webb_wcr``); ``benchmarks/child_impact_operating.py`` writes what
:func:`operating_figures` returns to ``operating.json``, which the report quotes
(:func:`csceval.strands.child_impact.verdicts.operating`).
"""

from __future__ import annotations

import math

import pandas as pd

from csceval.impact.multiplicity import holm
from csceval.strands.child_impact.verdicts import is_moderate


def _moderate(rows: pd.DataFrame, family: list[str]) -> list[float]:
    """Per row: 1 when the world's rule says "moderate" (Holm over the world's family outcomes,
    which must all be there; an outcome outside the family on its own), else 0."""
    out = []
    for _, r in rows.groupby("world", sort=False):
        in_family = r["outcome"].isin(family).to_numpy()
        complete = set(r.loc[in_family, "outcome"]) == set(family)
        adjusted = iter(holm(list(r.loc[in_family, "p_cr2"])))
        for p, member in zip(r["p_cr2"], in_family, strict=True):
            p_family = next(adjusted) if member else p
            moderate = is_moderate(p, p_family)
            out.append(float(moderate) if complete or not member else math.nan)
    return out


def operating_figures(rows: pd.DataFrame, family: list[str]) -> dict[str, object]:
    """The shares of null worlds per outcome (sizes, "moderate") and the family-wise share."""
    rows = rows[rows["null"]].drop_duplicates(["world", "outcome"], keep="last")
    rows = rows.sort_values(["world", "outcome"], kind="stable")
    rows = rows.assign(moderate=_moderate(rows, family))
    per = rows.groupby("outcome")
    in_family = rows[rows["outcome"].isin(family)].dropna(subset=["moderate"])
    any_moderate = in_family.groupby("world")["moderate"].max()

    def share(column: str, below: float | None = None) -> dict[str, float]:
        out = {}
        for outcome, r in per:
            values = r[column].dropna()
            hits = values < below if below is not None else values.astype(bool)
            out[str(outcome)] = round(float(hits.mean()), 4)
        return out

    return {
        "worlds": {str(o): len(r) for o, r in per},
        "size_cr2": share("p_cr2", 0.05),
        "size_wild": share("p_webb_wcr", 0.05),
        "moderate": share("moderate"),
        "moderate_any": round(float(any_moderate.mean()), 4),
        "family_worlds": len(any_moderate),
        "family": family,
    }
