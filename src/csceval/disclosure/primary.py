"""Primary suppression, rounding and number formatting, cell by cell."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from csceval.disclosure.policy import NOT_AVAILABLE, SUPPRESSED, SYMBOLS, DisclosurePolicy

_DEFAULT_POLICY = DisclosurePolicy()


def _decimal(value: float) -> Decimal:
    # repr() gives the shortest decimal that round-trips, so 2.675 rounds as the 2.675 a person
    # reads, not as the binary 2.67499999...
    return Decimal(repr(float(value)))


def round_half_up(value: float, dp: int) -> Decimal:
    """Round to ``dp`` decimal places, halves away from zero (0.125 -> 0.13, 2.5 -> 3)."""
    rounded = _decimal(value).quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded  # never print "-0.0"


def round_to_base(value: float, base: int) -> int:
    """Round to the nearest multiple of ``base``, halves away from zero.

    ``round_to_base(391046, 10) == 391050``, ``round_to_base(5, 10) == 10``,
    ``round_to_base(4, 10) == 0``. A ``base`` of 0 or 1 rounds to the nearest integer.

    Notes
    -----
    Conventional (half-up) rounding, as in DfE's "rounded to the nearest 10", not Python's
    round-half-to-even. Computed in decimal arithmetic, so no binary-float surprises.
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot round a non-finite value: {value!r}")
    if base < 0:
        raise ValueError(f"base must be 0 or more, got {base!r}")
    step = Decimal(max(base, 1))
    units = (_decimal(value) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(units * step)


def format_fixed(value: float, dp: int) -> str:
    """``value`` rounded half-up to ``dp`` places, as text (``12.30``)."""
    return f"{round_half_up(value, dp):f}"


def check_count(value: float, where: str = "") -> int:
    """The count as an int; a negative, fractional or infinite count is a ValueError."""
    if not math.isfinite(value) or value < 0 or value != int(value):
        place = f" in {where}" if where else ""
        raise ValueError(
            f"a count must be a non-negative whole number, got {value!r}{place}; "
            f"declare non-count statistics with the VALUE role"
        )
    return int(value)


def is_small(count: int, policy: DisclosurePolicy) -> bool:
    """True for a count the threshold rule suppresses (1..min_count; zero is shown)."""
    return 1 <= count <= policy.min_count


def suppress_counts(
    values: Sequence[float | int | None], policy: DisclosurePolicy = _DEFAULT_POLICY
) -> list[str]:
    """Primary suppression of a flat list of LA-level counts.

    ``suppress_counts([0, 1, 5, 6]) == ["0", "c", "c", "6"]``; None or NaN becomes ``x``.

    Notes
    -----
    DfE children in need and children looked after statistics: "any number between 1 and 5
    inclusive has been suppressed and replaced by 'c'"; a zero is shown, because a zero means the
    figure submitted was zero. No secondary suppression is done here (a flat list publishes no
    totals); use :func:`csceval.disclosure.protect` for tables.
    """
    out: list[str] = []
    for value in values:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            out.append(NOT_AVAILABLE)
            continue
        count = check_count(float(value))
        out.append(SUPPRESSED if is_small(count, policy) else str(count))
    return out


def parse_cell(value: object, where: str) -> float | str:
    """An input cell as a float (NaN when missing) or a DfE symbol string passed through.

    Numbers given as text (``"1,234"``) are accepted; any other text is a ValueError naming
    the cell.
    """
    if value is None or value is pd.NA:
        return math.nan
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{where}: expected a number or a DfE symbol, got {value!r}")
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if math.isinf(number):
            raise ValueError(f"{where}: infinite value {value!r}")
        return number
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return math.nan
        if text in SYMBOLS:
            return text
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return number
    raise ValueError(
        f"{where}: {value!r} is neither a number nor one of the symbols {sorted(SYMBOLS)}"
    )
