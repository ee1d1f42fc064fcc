"""Intercoder agreement on blind double coding, code by code, and the disagreement list.

Notes
-----
The unit is the **participant turn**: for each transcript coded blind by two coders (it has
codings of pass ``second``), each code and each turn spoken by a participant, each coder either
applied the code to the turn (1) or did not (0). Per code, Cohen's kappa, Krippendorff's alpha
(nominal) and percent agreement are computed over those present/absent pairs with
:mod:`csceval.reliability`; the pooled figures treat every (turn, code) pair as a unit. Turns
(rather than characters, as in Krippendorff's unitized alpha) are used because the analysis
counts turns (a case mentions a code when one of its turns carries it): a segment inside a turn
counts for that turn, and where its boundaries fall changes no count, so it is not compared.
Interviewer turns are left out because they are questions, not evidence. The statistics are
:mod:`csceval.reliability`'s on exactly these units (golden test:
``tests/golden/interviews/agreement_hand.json``). Kappa and alpha are undefined (shown as not
available) when neither coder, or both coders on every turn, used a code. Only codes of the
codebook count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csceval.reliability import cohen_kappa, krippendorff_alpha, percent_agreement
from csceval.strands.interviews.fieldwork import Fieldwork

DISAGREEMENT_COLUMNS = ["transcript_id", "turn", "code", "first", "second"]


@dataclass(frozen=True)
class CodeAgreement:
    """Agreement of two blind coders on one code, over participant turns."""

    code: str
    n_units: int
    n_first: int
    n_second: int
    agreement: float
    kappa: float
    alpha: float


@dataclass(frozen=True)
class Agreement:
    """Agreement per code, pooled, and the turns the coders disagreed on."""

    codes: tuple[CodeAgreement, ...]
    pooled: CodeAgreement
    transcripts: tuple[str, ...]
    disagreements: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """A row per code and ``(pooled)``: units, uses per coder, agreement, kappa, alpha."""
        rows = [*self.codes, self.pooled]
        return pd.DataFrame([vars(r) for r in rows])


def statistics(code: str, pairs: np.ndarray) -> CodeAgreement:
    """Percent agreement, Cohen's kappa and Krippendorff's alpha of a units x 2 0/1 matrix."""
    if len(pairs) == 0:
        return CodeAgreement(code, 0, 0, 0, math.nan, math.nan, math.nan)
    matrix = pairs.astype(float)
    return CodeAgreement(
        code=code,
        n_units=len(matrix),
        n_first=int(matrix[:, 0].sum()),
        n_second=int(matrix[:, 1].sum()),
        agreement=percent_agreement(matrix).estimate,
        kappa=cohen_kappa(matrix, categories=[0.0, 1.0]).estimate,
        alpha=krippendorff_alpha(matrix, level="nominal", categories=[0.0, 1.0]).estimate,
    )


def agreement(fieldwork: Fieldwork, codes: tuple[str, ...]) -> Agreement:
    """Agreement on every transcript coded blind twice, for each of ``codes``."""
    coded = fieldwork.coded[fieldwork.coded["code"].isin(codes)]
    double = sorted(set(coded.loc[coded["pass"] == "second", "transcript_id"]))
    turns = fieldwork.turns
    units = turns[turns["transcript_id"].isin(double) & turns["speaker"].str.startswith("R-")]
    units = units[["transcript_id", "turn"]].astype({"turn": int}).reset_index(drop=True)
    in_double = set(coded.loc[coded["transcript_id"].isin(double), "code"])
    used = [c for c in codes if c in in_double]
    frames = []
    for pass_ in ("first", "second"):
        hits = coded[coded["pass"] == pass_][["transcript_id", "turn", "code"]]
        hits = hits.astype({"turn": int}).drop_duplicates().assign(**{pass_: 1})
        frames.append(hits.set_index(["transcript_id", "turn", "code"]))
    grid = pd.MultiIndex.from_tuples(
        [(t, n, c) for t, n in units.itertuples(index=False) for c in used],
        names=["transcript_id", "turn", "code"],
    )
    table = pd.DataFrame(index=grid).join(frames[0]).join(frames[1]).fillna(0).astype(int)
    table = table.reset_index()
    per_code = tuple(
        statistics(c, table.loc[table["code"] == c, ["first", "second"]].to_numpy()) for c in used
    )
    pooled = statistics("(pooled)", table[["first", "second"]].to_numpy())
    disagree = table[table["first"] != table["second"]][DISAGREEMENT_COLUMNS]
    return Agreement(per_code, pooled, tuple(double), disagree.reset_index(drop=True))
