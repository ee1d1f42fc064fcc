"""LAIT's "-" from reading to publishing, on real LAIT rows (../shared/data).

In LAIT "-" means the cell was not published: Isles of Scilly's looked-after count for 2021 is
a DfE-suppressed small number, Hackney's children-in-need rate for 2021 was not collected (no
CIN census return that year). Neither is nil. The reader keeps the symbol; disclosure control
shows it as "c" in a count column (and protects it like any "c") and "x" in a rate column.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from csceval.data.lait import read_lait
from csceval.disclosure import (
    NOT_PUBLISHED,
    ColumnRole,
    DisclosurePolicy,
    PublishedColumn,
    TableSpec,
    protect,
)

LAIT = "dfe_lait_csc_indicators/lait_csc_indicators_long.csv"


@pytest.fixture(scope="module")
def lait(shared_data: Path) -> pd.DataFrame:
    rows = read_lait(shared_data / LAIT, frozenset({"LACnum", "CIN"}))
    return rows[rows["year"] == 2021].set_index(["code", "la_code"])


def test_the_reader_keeps_lait_dash_and_never_reads_it_as_zero(lait: pd.DataFrame) -> None:
    for key in (("LACnum", "420"), ("CIN", "204")):
        row = lait.loc[key]
        assert row["symbol"] == NOT_PUBLISHED, key
        assert pd.isna(row["value"]), key
    assert lait.loc[("LACnum", "908"), "value"] > 0  # Cornwall: published


def test_disclosure_publishes_the_dash_as_c_in_counts_and_x_elsewhere(lait: pd.DataFrame) -> None:
    def cell(code: str, la: str) -> object:
        row = lait.loc[(code, la)]
        return row["symbol"] or row["value"]

    cornwall = int(lait.loc[("LACnum", "908"), "value"])
    table = pd.DataFrame({
        "la": ["Isles of Scilly", "Cornwall", "Hackney", "Total"],
        "cla": [cell("LACnum", "420"), cornwall, 100, cornwall + 103],
        "cin_rate": [cell("CIN", "420"), cell("CIN", "908"), cell("CIN", "204"), ""],
    })  # fmt: skip
    spec = TableSpec(
        (
            PublishedColumn("la", "LA", ColumnRole.LABEL),
            PublishedColumn("cla", "Looked after", ColumnRole.COUNT),
            PublishedColumn("cin_rate", "CIN rate", ColumnRole.RATE),
        ),
        total_row_label=("la", "Total"),
    )
    published = protect(table, spec, DisclosurePolicy()).cells.set_index("la")
    assert published.at["Isles of Scilly", "cla"] == "c"
    assert published.at["Hackney", "cin_rate"] == "x"
    # Total minus the others would reveal the hidden count: a complement is suppressed too.
    assert (published.loc[["Cornwall", "Hackney"], "cla"] == "c").any()
    assert "-" not in published.to_numpy()
