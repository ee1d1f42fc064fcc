"""The costs section's table blocks: columns, units and the one way every table is published.

Every table goes through :func:`csceval.disclosure.protect`. Costs are LA-level spending, not
counts of children, so nothing is suppressed, but they are rounded as published.
"""

from __future__ import annotations

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.report.model import TableBlock

M = 1e6


def _label(name: str, title: str) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.LABEL)


def _value(name: str, title: str, unit: str = "", dp: int = 1) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.VALUE, unit=unit, dp=dp)


def _block(
    frame: pd.DataFrame, columns: list[PublishedColumn], policy: DisclosurePolicy, **kw: str
) -> TableBlock:
    names = [c.name for c in columns]
    table = protect(frame[names].reset_index(drop=True), TableSpec(tuple(columns)), policy)
    notes = kw.pop("note", "")
    return TableBlock(table=table, notes=(notes,) if notes else (), **kw)
