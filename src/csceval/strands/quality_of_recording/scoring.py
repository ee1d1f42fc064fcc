"""Scores from audit records: item (0-100) -> section (domain) -> overall, per audited case.

Which rating counts for a case's score: the reconciled rating of a case-item when there is one,
otherwise the first (not second) rating. Second ratings serve reliability only
(:func:`double_ratings`). The rules for answers, "not applicable" and minimum coverage are those
of :mod:`instrument`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csceval.strands.quality_of_recording.instrument import Instrument

CASE_KEYS = ("la_code", "pseudonym", "time_point")
AUDIT_COLUMNS = (
    "la_code",
    "pseudonym",
    "time_point",
    "rater_id",
    "instrument",
    "instrument_version",
    "item",
    "value",
    "is_second_rating",
    "reconciled",
)
"""Columns of the case_audits table (one row per rating of one item of one case)."""


def _flag(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.lower().isin(["true", "1", "yes"])


def rating_of_record(audits: pd.DataFrame) -> pd.DataFrame:
    """One row per case-item: the reconciled rating, else the first rating."""
    frame = audits.assign(
        _rec=_flag(audits["reconciled"]), _second=_flag(audits["is_second_rating"])
    )
    frame = frame[frame["_rec"] | ~frame["_second"]]
    frame = frame.sort_values([*CASE_KEYS, "item", "_rec"], ascending=[True] * 4 + [False])
    return frame.drop_duplicates([*CASE_KEYS, "item"]).drop(columns=["_rec", "_second"])


def item_scores(audits: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Items of record: CASE_KEYS, ``section``, ``item``, ``score`` (NaN = not applicable)."""
    rows = rating_of_record(audits)
    meta = {item.id: (section.id, scale) for section, item, scale in instrument.items()}
    rows = rows[rows["item"].map(lambda i: i in meta and meta[i][1].scored)]
    return pd.DataFrame(
        {
            **{k: rows[k].astype(str).to_numpy() for k in CASE_KEYS},
            "section": [meta[i][0] for i in rows["item"]],
            "item": rows["item"].to_numpy(),
            "score": [
                np.nan if (s := meta[i][1].score(str(v))) is None else s
                for i, v in zip(rows["item"], rows["value"], strict=True)
            ],
        }
    )


def case_scores(items: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Per case: one column per scored section and ``overall`` (NaN where coverage is short)."""
    rule = instrument.scoring
    weights = {s.id: s.weight for s in instrument.sections if s.weight > 0}
    n_items = {
        s.id: sum(instrument.scale(i.scale).scored for i in s.items) for s in instrument.sections
    }
    grouped = items.groupby([*CASE_KEYS, "section"])["score"]
    section = grouped.mean().rename("score").reset_index()
    section["answered"] = grouped.count().to_numpy()
    section["needed"] = section["section"].map(n_items) * rule.min_answered
    section.loc[section["answered"] < section["needed"], "score"] = np.nan
    wide = (
        section.set_index([*CASE_KEYS, "section"])["score"]
        .unstack("section")
        .reindex(columns=list(weights))
    )
    w = np.array([weights[s] for s in wide.columns])
    present = wide.notna().to_numpy()
    covered = (present * w).sum(axis=1) / w.sum()
    total = np.nansum(wide.to_numpy() * w, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = total / (present * w).sum(axis=1)
    wide["overall"] = np.where(covered >= rule.min_sections, overall, np.nan)
    wide.columns.name = None
    return wide.reset_index()


def double_ratings(audits: pd.DataFrame, instrument: Instrument, item: str) -> np.ndarray:
    """Units (case at time point) x 2 matrix of an item's first and second ratings (numeric).

    Only cases rated twice enter; "not applicable" and free text become NaN. The reconciled
    rating is never used here: it is not an independent judgement.
    """
    _, _, scale = instrument.item(item)
    rows = audits[(audits["item"] == item) & ~_flag(audits["reconciled"])]
    second = _flag(rows["is_second_rating"])
    key = list(CASE_KEYS)
    first = rows[~second].drop_duplicates(key).set_index(key)["value"]
    other = rows[second].drop_duplicates(key).set_index(key)["value"]
    both = pd.concat([first.rename("a"), other.rename("b")], axis=1, join="inner")
    both = both.sort_index()

    def num(v: object) -> float:
        x = scale.numeric(str(v))
        return np.nan if x is None else x

    return np.array([[num(a), num(b)] for a, b in both.itertuples(index=False)], dtype=float)


def disagreements(audits: pd.DataFrame) -> pd.DataFrame:
    """Case-items whose first and blind second ratings differ, for the reconciliation step.

    Columns: CASE_KEYS, ``item``, ``first``, ``second`` (the two answers), ``first_rater``,
    ``second_rater`` and ``agreed`` (the reconciled answer, empty until someone records it).
    """
    key = [*CASE_KEYS, "item"]
    rows = audits.astype(dict.fromkeys(key, str))
    reconciled = _flag(rows["reconciled"])
    second = _flag(rows["is_second_rating"]) & ~reconciled
    first = rows[~second & ~reconciled].drop_duplicates(key)
    other = rows[second].drop_duplicates(key)
    agreed = rows[reconciled].drop_duplicates(key).set_index(key)["value"].rename("agreed")
    both = first.merge(other, on=key, suffixes=("_1", "_2"))
    both = both[both["value_1"].astype(str) != both["value_2"].astype(str)]
    out = pd.DataFrame(
        {
            **{k: both[k] for k in key},
            "first": both["value_1"],
            "second": both["value_2"],
            "first_rater": both["rater_id_1"],
            "second_rater": both["rater_id_2"],
        }
    ).join(agreed, on=key)
    out["agreed"] = out["agreed"].fillna("")
    return out.sort_values(key).reset_index(drop=True)
