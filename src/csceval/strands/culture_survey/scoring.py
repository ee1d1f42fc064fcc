"""Scoring survey answers: items on their numeric scale, reverse keying and subscale scores.

Missing-item rule: a respondent's subscale score is the mean of the subscale's answered items
(after reversal) when at least ``min_share`` (default two thirds, rounded up: 3 of 4 items, 2 of
3, 4 of 6) are answered, and missing otherwise. A scored answer that is not a whole number on
its list's scale counts as missing (the project checks report it). Scores stay on the items'
own scale (e.g. 1-5), so a subscale mean reads like an answer.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from csceval.strands.culture_survey.instrument import Instrument

MIN_SHARE = 2 / 3
ID_COLUMNS = ("response_id", "la_code", "team", "time_point")


def items_wide(responses: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """One row per response: ``ID_COLUMNS`` and each scored item's value, reversed where keyed.

    Values off the item's scale become NaN.
    """
    scored = [q for qs in instrument.subscales.values() for q in qs]
    frame = responses[responses["item"].isin([q.name for q in scored])]
    ids = responses.groupby("response_id", sort=True)[list(ID_COLUMNS[1:])].first()
    first = frame.drop_duplicates(["response_id", "item"])
    values = first.pivot(index="response_id", columns="item", values="value").reindex(
        index=ids.index, columns=[q.name for q in scored]
    )
    out = ids.reset_index()
    for q in scored:
        low, high = instrument.scale_range(q)
        column = pd.to_numeric(values[q.name].to_numpy(), errors="coerce")
        column = np.where((column >= low) & (column <= high) & (column % 1 == 0), column, np.nan)
        out[q.name] = (low + high - column) if q.reverse else column
    return out


def needed(n_items: int, min_share: float = MIN_SHARE) -> int:
    """Fewest answered items for a subscale score."""
    return max(1, math.ceil(n_items * min_share - 1e-9))


def subscale_scores(
    wide: pd.DataFrame, instrument: Instrument, min_share: float = MIN_SHARE
) -> pd.DataFrame:
    """``ID_COLUMNS`` and one score column per subscale (NaN below the missing-item rule)."""
    out = wide[list(ID_COLUMNS)].copy()
    for scale, questions in instrument.subscales.items():
        items = wide[[q.name for q in questions]]
        answered = items.notna().sum(axis=1)
        out[scale] = items.mean(axis=1).where(answered >= needed(len(questions), min_share))
    return out
