"""Panel data for synthetic control: one ``times x units`` matrix per variable, and its helpers.

Notes
-----
Times must be integer periods (years); float values that are whole numbers (``1970.0``) are
converted. Unit labels are converted to ``str``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class SynthPanel:
    """A balanced ``times x units`` matrix per variable (missing values as NaN)."""

    units: tuple[str, ...]
    times: tuple[int, ...]
    values: Mapping[str, FloatArray] = field(repr=False)

    def __post_init__(self) -> None:
        if len(set(self.units)) != len(self.units):
            raise ValueError("unit labels are not unique")
        if list(self.times) != sorted(set(self.times)):
            raise ValueError("times must be strictly increasing")
        shape = (len(self.times), len(self.units))
        for name, arr in self.values.items():
            if arr.shape != shape:
                raise ValueError(f"variable {name!r} has shape {arr.shape}, expected {shape}")

    @classmethod
    def from_long(
        cls,
        data: pd.DataFrame,
        *,
        unit: str,
        time: str,
        variables: Sequence[str] | None = None,
    ) -> SynthPanel:
        """Build a panel from a long table with one row per unit and time.

        Parameters
        ----------
        data
            The long table.
        unit, time
            Column names of the unit label and the (integer) time period.
        variables
            Columns to keep; default every numeric column other than ``unit`` and ``time``.

        Raises
        ------
        ValueError
            If a column is missing, a (unit, time) pair repeats or a time is not a whole
            number.
        """
        missing = [c for c in (unit, time, *(variables or ())) if c not in data.columns]
        if missing:
            raise ValueError(f"columns not in the data: {missing}")
        if variables is None:
            variables = [
                c
                for c in data.columns
                if c not in (unit, time) and pd.api.types.is_numeric_dtype(data[c])
            ]
        if data.duplicated([unit, time]).any():
            dup = data.loc[data.duplicated([unit, time]), [unit, time]].iloc[0].tolist()
            raise ValueError(f"(unit, time) pairs repeat, e.g. {dup}")
        t_raw = pd.to_numeric(data[time], errors="coerce").to_numpy(dtype=np.float64)
        if not np.isfinite(t_raw).all() or (t_raw != np.round(t_raw)).any():
            raise ValueError(f"column {time!r} must hold whole-number periods (e.g. years)")
        frame = data.copy()
        frame[time] = t_raw.astype(np.int64)
        frame[unit] = data[unit].astype(str)
        units = tuple(sorted(frame[unit].unique()))
        times = tuple(int(t) for t in sorted(frame[time].unique()))
        values: dict[str, FloatArray] = {}
        for var in variables:
            wide = frame.pivot(index=time, columns=unit, values=var)
            wide = wide.reindex(index=list(times), columns=list(units))
            values[var] = wide.to_numpy(dtype=np.float64)
        return cls(units=units, times=times, values=values)

    def index_of(self, unit: object) -> int:
        """Column index of ``unit``; ``ValueError`` if it is not in the panel."""
        try:
            return self.units.index(str(unit))
        except ValueError:
            raise ValueError(f"unit {unit!r} is not in the panel") from None

    def variable(self, name: str) -> FloatArray:
        """The ``times x units`` matrix of ``name``; ``ValueError`` if absent."""
        if name not in self.values:
            raise ValueError(f"variable {name!r} is not in the panel ({sorted(self.values)})")
        return self.values[name]

    def truncated(self, before: int) -> SynthPanel:
        """The panel restricted to times strictly before ``before``."""
        keep = [i for i, t in enumerate(self.times) if t < before]
        return SynthPanel(
            units=self.units,
            times=tuple(self.times[i] for i in keep),
            values={k: v[keep] for k, v in self.values.items()},
        )


def positive_log(values: npt.ArrayLike) -> FloatArray:
    """Natural logs of the positive values; NaN where a value is zero, negative or missing (a
    rate of zero has no log, so the analyses on the log scale treat it as missing)."""
    x = np.asarray(values, dtype=np.float64)
    out = np.full(x.shape, np.nan)
    positive = x > 0
    out[positive] = np.log(x[positive])
    return out


def latest_span(years: Sequence[int]) -> list[int]:
    """The last run of consecutive years among ``years`` (the years in which any unit has a value).

    A series interrupted by years nobody published (CLA rates: 2010, then 2013 on, where the
    mid-year populations were not in the files) is analysed over its latest unbroken run, so the
    missing years do not leave every unit incomplete.
    """
    ordered = sorted({int(y) for y in years})
    if not ordered:
        return []
    start = len(ordered) - 1
    while start > 0 and ordered[start - 1] == ordered[start] - 1:
        start -= 1
    return ordered[start:]
