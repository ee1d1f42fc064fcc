"""Values as DfE files print them: whole counts, one decimal place, and DfE's symbols.

- ``c`` (suppressed): a count of 1-5, a rate computed from such a count, and a percentage whose
  numerator or denominator is 1-5 (DfE's rule for its LA tables; zero is shown).
- ``z`` (not applicable): a percentage whose denominator is zero (e.g. no plans started).
- ``x`` (not available): the LA's return for that year is missing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from csceval.indicators import BY_ID, Kind

SMALL_COUNT = (1, 5)
"""Counts in this range are suppressed."""


def _small(values: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    return (values >= SMALL_COUNT[0]) & (values <= SMALL_COUNT[1])


def dfe_values(panel: pd.DataFrame) -> npt.NDArray[np.str_]:
    """The published text of every panel row (from ``observed``, ``numerator``, ...)."""
    kinds = panel["indicator"].map({k: v.kind.value for k, v in BY_ID.items()}).to_numpy()
    observed = panel["observed"].to_numpy(dtype=float)
    numerator = panel["numerator"].to_numpy(dtype=float)
    denominator = panel["denominator"].to_numpy(dtype=float)
    whole = np.isin(kinds, [Kind.COUNT.value, Kind.PERSONS.value])
    percent = kinds == Kind.PERCENT.value

    safe = np.where(np.isfinite(observed), observed, 0.0)
    text = np.where(
        whole,
        np.char.mod("%d", np.round(safe).astype(np.int64)),
        np.char.mod("%.1f", safe),
    ).astype(object)
    suppressed = _small(numerator) | (percent & _small(denominator))
    text[suppressed] = "c"
    text[percent & ((denominator == 0) | ~np.isfinite(observed))] = "z"
    text[~panel["available"].to_numpy(dtype=bool)] = "x"
    return np.asarray(text, dtype=str)
