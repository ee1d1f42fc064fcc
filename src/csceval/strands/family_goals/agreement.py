"""Parent-worker agreement on goal ratings, double-entry checks, and concordance of goals.

- **Agreement on ratings**: goals rated by both the parent and the social worker (first entries)
  form a goals x 2 matrix on the ordinal scale -2 ... +2: Cohen's weighted kappa (quadratic
  weights) and Krippendorff's alpha (ordinal), both from :mod:`csceval.reliability`, with
  percentile bootstrap intervals over goals, plus exact agreement and the mean difference
  (parent minus worker: a positive value means parents rate attainment higher).
- **Double entry**: where a form was entered twice (``entry`` 2), the share of the two entries
  that are identical: a check on data entry, not on the raters.
- **Concordance of goals**: whether the parent's goals are the worker's goals in other words.
  Each goal's description becomes a set of normalised words (lower case; letters, digits and
  apostrophes; a trailing plural ``s`` dropped from words of 4+ letters; common function words
  removed, :data:`STOP_WORDS`); two goals' similarity is the Jaccard index of their sets
  (shared words over all words). For each parent goal the most similar worker goal of the same
  family is *proposed* as a match when the index is at least ``threshold`` (default 0.25).
  Word overlap misses synonyms and can pair goals that merely share words: the pairs are
  proposals for a person to review, not a verdict.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csceval.reliability import ReliabilityResult, cohen_kappa, krippendorff_alpha

CATEGORIES = [-2.0, -1.0, 0.0, 1.0, 2.0]
DEFAULT_THRESHOLD = 0.25
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "can",
        "do",
        "for",
        "from",
        "get",
        "go",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "more",
        "my",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "up",
        "us",
        "was",
        "we",
        "will",
        "with",
        "would",
        "you",
        "your",
    }
)
KEYS = ["la_code", "time_point", "family", "goal"]
PAIR_COLUMNS = ("la_code", "time_point", "family", "parent_goal", "worker_goal", "similarity",
                "proposed", "parent_text", "worker_text")  # fmt: skip


@dataclass(frozen=True)
class RaterAgreement:
    """Parent-worker agreement on the goals both rated."""

    n_goals: int
    exact: float
    mean_difference: float
    kappa: ReliabilityResult | None
    alpha: ReliabilityResult | None


def paired_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """First-entry ratings with a ``worker`` and a ``parent`` column per goal (NaN if absent)."""
    first = ratings[ratings["entry"].astype(int) == 1]
    rating = first.set_index([*KEYS, "rater_role"])["rating"].astype(float)
    wide = rating.unstack("rater_role").reindex(columns=["worker", "parent"])
    return wide.astype(float).reset_index()


def rater_agreement(pairs: pd.DataFrame, *, n_boot: int = 500, seed: int = 0) -> RaterAgreement:
    """Agreement between ``worker`` and ``parent`` columns over goals rated by both."""
    both = pairs.dropna(subset=["worker", "parent"])
    matrix = both[["worker", "parent"]].to_numpy(dtype=float)
    n = len(matrix)
    if n < 2:
        return RaterAgreement(n, math.nan, math.nan, None, None)
    ci, boots = n_boot > 0, max(n_boot, 1)
    kappa = cohen_kappa(
        matrix, weights="quadratic", categories=CATEGORIES, ci=ci, n_boot=boots, seed=seed
    )
    alpha = krippendorff_alpha(
        matrix, level="ordinal", categories=CATEGORIES, ci=ci, n_boot=boots, seed=seed
    )
    return RaterAgreement(
        n,
        float((matrix[:, 0] == matrix[:, 1]).mean()),
        float((matrix[:, 1] - matrix[:, 0]).mean()),
        kappa,
        alpha,
    )


def double_entry_agreement(ratings: pd.DataFrame) -> tuple[int, float]:
    """(forms entered twice, share of them whose two entries are identical, blanks included)."""
    keys = [*KEYS, "rater_role"]
    entry = ratings["entry"].astype(int)
    first = ratings[entry == 1].set_index(keys)["rating"].astype(float).rename("a")
    second = ratings[entry == 2].set_index(keys)["rating"].astype(float).rename("b")
    both = first.to_frame().join(second, how="inner")
    if both.empty:
        return 0, math.nan
    same = (both["a"] == both["b"]) | (both["a"].isna() & both["b"].isna())
    return len(both), float(same.mean())


def words(text: str) -> frozenset[str]:
    """The normalised word set of a goal description (see the module's notes)."""
    out = set()
    for word in re.findall(r"[a-z0-9']+", str(text).lower()):
        word = word.strip("'")
        if len(word) >= 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word and word not in STOP_WORDS:
            out.add(word)
    return frozenset(out)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared words over all words; 0 when both are empty."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def goal_pairs(goals: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Each parent goal with its most similar worker goal in the same family (PAIR_COLUMNS).

    A parent goal in a family without worker goals gets an empty ``worker_goal`` and similarity
    0. ``proposed`` is True when the similarity reaches ``threshold``.
    """
    rows = []
    for (code, tp, family), part in goals.groupby(["la_code", "time_point", "family"]):
        worker = part[part["source"] == "worker"]
        theirs = [(str(g), str(t), words(t)) for g, t in zip(worker["goal"],
                  worker["description"], strict=True)]  # fmt: skip
        for goal, text in zip(part["goal"], part["description"], strict=True):
            if part.loc[part["goal"] == goal, "source"].iat[0] != "parent":
                continue
            mine = words(text)
            scored = [(jaccard(mine, w), g, t) for g, t, w in theirs]
            best = max(scored, default=(0.0, "", ""), key=lambda s: s[0])
            rows.append(
                {
                    "la_code": str(code), "time_point": str(tp), "family": str(family),
                    "parent_goal": str(goal), "worker_goal": best[1], "similarity": best[0],
                    "proposed": best[0] >= threshold and bool(best[1]),
                    "parent_text": str(text), "worker_text": best[2],
                }
            )  # fmt: skip
    return pd.DataFrame(rows, columns=list(PAIR_COLUMNS))


def site_agreement(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per site: goals rated by both, exact agreement and weighted kappa (no interval)."""
    rows = []
    for code, part in pairs.dropna(subset=["worker", "parent"]).groupby("la_code"):
        m = part[["worker", "parent"]].to_numpy(dtype=float)
        kappa = (
            cohen_kappa(m, weights="quadratic", categories=CATEGORIES).estimate
            if len(m) >= 2
            else math.nan
        )
        rows.append(
            {
                "la_code": str(code),
                "n_both": len(m),
                "exact": float(np.mean(m[:, 0] == m[:, 1])),
                "kappa": kappa,
            }
        )
    return pd.DataFrame(rows, columns=["la_code", "n_both", "exact", "kappa"])
