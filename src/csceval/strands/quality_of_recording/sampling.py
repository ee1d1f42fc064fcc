"""Stratified random samples of case files, drawn reproducibly, with a replacement rule.

How a sample is drawn (:func:`draw_sample`):

1. The case list is put in canonical order (sorted by case id), so the row order of the upload
   does not matter; its SHA-256 (:attr:`CaseList.sha256`) is recorded with the seed.
2. ``numpy.random.default_rng(seed).permutation(N)`` gives every case a random position; within
   each stratum cases are ranked by that position (``drawn_rank`` 1, 2, ...).
3. Allocation of ``n`` (default 10) to the strata: quotas ``n / H`` (``equal``) or
   ``n * N_h / N`` (``proportional``), rounded by the largest-remainder (Hamilton) method (ties:
   the larger stratum, then the name); a stratum never gets more than it has, and the excess
   goes to the others by the same rule (:func:`allocate`). The first ``n_h`` cases of a
   stratum are sampled, the next ``reserve`` (default 5) are its reserve list, in that order.
4. Replacement (:func:`replace_case`): a sampled case that cannot be audited (file unavailable,
   access restricted, out of scope, a sibling already sampled) is replaced by the first unused
   reserve case of the same stratum, and both rows record it. No reserve left: CSC-E3212.

The sample carries pseudonyms only (:mod:`pseudonyms`); the key is not kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from csceval.errors import InputError, Problem
from csceval.strands.quality_of_recording.case_list import CaseList
from csceval.strands.quality_of_recording.pseudonyms import PseudonymKey, as_key

ALLOCATIONS = ("proportional", "equal")
REASONS = ("file_unavailable", "access_restricted", "out_of_scope", "sibling_sampled", "other")
"""Coded reasons a case cannot be audited (coded, so no free text can carry identifiers)."""
SAMPLE_COLUMNS = (
    "la_code",
    "pseudonym",
    "stratum",
    "drawn_rank",
    "status",
    "replaced_by",
    "replaces",
    "reason",
)
"""Columns of a sample frame: status is ``sampled``, ``reserve``, ``replaced`` or ``used``."""


@dataclass(frozen=True)
class CaseSample:
    """A drawn sample and everything needed to reproduce it (but not the key)."""

    la_code: str
    seed: int
    list_sha256: str
    n_requested: int
    allocation: str
    rows: pd.DataFrame

    @property
    def sampled(self) -> pd.DataFrame:
        """The cases to audit now (original draws still in play plus replacements)."""
        return self.rows[self.rows["status"].isin(["sampled", "used"])].reset_index(drop=True)

    def record(self) -> dict[str, object]:
        """How the sample was drawn, for provenance."""
        return {
            "la_code": self.la_code,
            "seed": self.seed,
            "case_list_sha256": self.list_sha256,
            "n_requested": self.n_requested,
            "allocation": self.allocation,
            "method": "numpy default_rng(seed).permutation over the case list sorted by case id",
        }


def _problem(message: str, column: str, value: object = "", fix: str = "") -> Problem:
    return Problem("CSC-E3211", message, column=column, value=str(value), fix=fix)


def _check(n: int, allocation: str, reserve: int, seed: int) -> list[Problem]:
    problems = []
    if n < 1:
        problems.append(_problem("the sample size must be at least 1", "n", n))
    if allocation not in ALLOCATIONS:
        problems.append(
            _problem("unknown allocation", "allocation", allocation, f"use one of {ALLOCATIONS}")
        )
    if reserve < 0:
        problems.append(_problem("the reserve cannot be negative", "reserve", reserve))
    if seed < 0:
        problems.append(_problem("the seed must be 0 or more", "seed", seed))
    return problems


def allocate(sizes: dict[str, int], n: int, allocation: str) -> dict[str, int]:
    """Cases to sample per stratum: quotas rounded by largest remainder, capped at ``sizes``.

    Quotas are ``n / H`` (equal) or ``n * N_h / N`` (proportional). Each stratum first gets the
    floor of its quota (at most its size); then, one at a time, a case goes to the stratum with
    room whose quota is furthest above what it has (ties: the larger stratum, then the name), so
    a stratum too small for its quota passes the excess on.
    """
    total = sum(sizes.values())
    n = min(n, total)
    if allocation == "equal":
        quota = {h: n / len(sizes) for h in sizes}
    else:
        quota = {h: n * sizes[h] / total for h in sizes}
    out = {h: min(int(np.floor(q)), sizes[h]) for h, q in quota.items()}
    while sum(out.values()) < n:
        room = [h for h in sizes if out[h] < sizes[h]]
        best = min(room, key=lambda h: (out[h] - quota[h], -sizes[h], h))
        out[best] += 1
    return out


def draw_sample(
    case_list: CaseList,
    key: str | PseudonymKey,
    *,
    seed: int,
    n: int = 10,
    allocation: str = "proportional",
    reserve: int = 5,
) -> CaseSample:
    """Draw a stratified random sample of ``case_list`` (raises InputError CSC-E3211/E3209)."""
    problems = _check(n, allocation, reserve, seed)
    if case_list.cases.empty:
        problems.append(Problem("CSC-E3209", "the case list has no cases", file=case_list.source))
    checked = as_key(key)
    if problems:
        raise InputError(problems)
    cases = case_list.cases  # already sorted by case id
    position = np.random.default_rng(seed).permutation(len(cases))
    frame = pd.DataFrame(
        {"case_id": cases["case_id"], "stratum": cases["stratum"], "position": position}
    ).sort_values("position", kind="stable")
    frame["drawn_rank"] = frame.groupby("stratum").cumcount() + 1
    sizes = frame["stratum"].value_counts().to_dict()
    quota = allocate({str(h): int(v) for h, v in sizes.items()}, n, allocation)
    frame["n_h"] = frame["stratum"].map(quota)
    frame = frame[frame["drawn_rank"] <= frame["n_h"] + reserve]
    rows = pd.DataFrame(
        {
            "la_code": case_list.la_code,
            "pseudonym": [checked.pseudonym(case_list.la_code, c) for c in frame["case_id"]],
            "stratum": frame["stratum"].to_numpy(),
            "drawn_rank": frame["drawn_rank"].to_numpy(),
            "status": np.where(frame["drawn_rank"] <= frame["n_h"], "sampled", "reserve"),
            "replaced_by": "",
            "replaces": "",
            "reason": "",
        }
    )
    rows = rows.sort_values(["stratum", "drawn_rank"], kind="stable").reset_index(drop=True)
    return CaseSample(case_list.la_code, seed, case_list.sha256, n, allocation, rows)


def replace_case(sample: CaseSample, pseudonym: str, reason: str) -> CaseSample:
    """Replace a sampled case that cannot be audited by the next reserve case of its stratum."""
    rows = sample.rows.copy()
    hit = rows.index[(rows["pseudonym"] == pseudonym) & rows["status"].isin(["sampled", "used"])]
    problems = []
    if reason not in REASONS:
        problems.append(
            Problem(
                "CSC-E3212", "unknown reason", column="reason", value=reason, fix=f"use {REASONS}"
            )
        )
    if len(hit) != 1:
        problems.append(
            Problem(
                "CSC-E3212",
                "this case is not in the sample (or was already replaced)",
                column="pseudonym",
                value=pseudonym,
            )
        )
    if problems:
        raise InputError(problems)
    i = hit[0]
    stratum = rows.at[i, "stratum"]
    spare = rows[(rows["stratum"] == stratum) & (rows["status"] == "reserve")]
    if spare.empty:
        raise InputError(
            [
                Problem(
                    "CSC-E3212",
                    f"no reserve case is left in stratum {stratum}",
                    column="stratum",
                    value=str(stratum),
                    fix="draw a new sample with a larger reserve (same seed and list)",
                )
            ]
        )
    j = spare["drawn_rank"].idxmin()
    rows.loc[i, ["status", "replaced_by", "reason"]] = ["replaced", rows.at[j, "pseudonym"], reason]
    rows.loc[j, ["status", "replaces"]] = ["used", pseudonym]
    return replace(sample, rows=rows)
