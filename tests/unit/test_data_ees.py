"""The EES reader: tolerant of form (BOM, column order, levels), strict on content."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from csceval.data.annex_a import read_annex_a
from csceval.data.csww import read_csww
from csceval.data.ees import read_ees, year_of
from csceval.data.la_reference import read_las, read_statistical_neighbours
from csceval.errors import InputError

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "data_broken"
HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,category,referral_count,rereferral_percent"
)
ROWS = [
    "2024,Reporting year,National,E92000001,England,,,,,,Referrals,1000,21.5",
    "2024,Reporting year,Regional,E92000001,England,E12000001,North East,,,,Referrals,100,c",
    "2024,Reporting year,Local authority,E92000001,England,E12000001,North East,805,E06000001,"
    "Hartlepool,Referrals,50,20.1",
    "2024,Reporting year,Local authority,E92000001,England,E12000001,North East,806,E06000002,"
    "Middlesbrough,Referrals,x,low",
]


def write(tmp_path: Path, text: str, name: str = "file.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_symbols_become_nan_with_a_flag_beside_them(tmp_path: Path) -> None:
    table = read_ees(write(tmp_path, "\n".join([HEADER, *ROWS])))
    la = table.level("Local authority").set_index("old_la_code")
    assert la.loc["805", "referral_count"] == 50
    assert la.loc["805", "referral_count_symbol"] == ""
    assert np.isnan(la.loc["806", "referral_count"])
    assert la.loc["806", "referral_count_symbol"] == "x"
    assert la.loc["806", "rereferral_percent_symbol"] == "low"
    assert table.indicators == ("referral_count", "rereferral_percent")
    assert table.filters == ("category",)
    assert list(la["year"]) == [2024, 2024]


def test_bom_and_column_order_do_not_matter(tmp_path: Path) -> None:
    columns = HEADER.split(",")
    order = list(reversed(range(len(columns))))
    shuffled = [",".join(columns[i] for i in order)] + [
        ",".join(row.split(",")[i] for i in order) for row in ROWS
    ]
    plain = read_ees(write(tmp_path, "\n".join([HEADER, *ROWS]), "a.csv")).frame
    other = read_ees(write(tmp_path, "\n".join(shuffled), "b.csv", bom=True)).frame
    assert other[plain.columns].equals(plain)


def test_levels_are_filtered(tmp_path: Path) -> None:
    path = write(tmp_path, "\n".join([HEADER, *ROWS]))
    assert set(read_ees(path, levels=["Local authority"]).frame["geographic_level"]) == {
        "Local authority"
    }
    assert len(read_ees(path, levels=None).frame) == 4


def test_time_periods_four_and_six_digits() -> None:
    assert year_of("2019") == 2019
    assert year_of("201819") == 2019  # year ending March 2019 (financial) / 2018-19 academic
    assert year_of("199900") == 2000
    for bad in ("201820", "2019/20", "19", "20191", ""):
        assert year_of(bad) is None


def test_joint_returns_are_kept_and_flagged(tmp_path: Path) -> None:
    joint = ROWS[2].replace(",805,E06000001,", ",314 / 318,E09000021 / E09000027,")
    table = read_ees(write(tmp_path, "\n".join([HEADER, joint])))
    assert bool(table.frame["joint"].iloc[0])


def test_meta_file_names_indicators(tmp_path: Path) -> None:
    rows = [r.replace(",50,", ",c,") for r in ROWS[2:3]]
    path = write(tmp_path, "\n".join([HEADER, *rows]), "data.csv")
    assert "referral_count" not in read_ees(path).indicators  # no number: looks like a filter
    write(tmp_path, "col_name,col_type\nreferral_count,Indicator\n", "data.meta.csv")
    assert "referral_count" in read_ees(path).indicators


def test_every_problem_is_reported_and_nothing_returned(tmp_path: Path) -> None:
    rows = [ROWS[0].replace("2024,", "24,", 1), ROWS[2].replace(",50,", ",fifty,")]
    with pytest.raises(InputError) as caught:
        read_ees(write(tmp_path, "\n".join([HEADER, *rows])))
    codes = sorted(p.code for p in caught.value.problems)
    assert codes == ["CSC-E4004", "CSC-E4008"]


def _readers() -> dict[str, Callable[[Path], Any]]:
    return {
        "ees": lambda p: read_ees(p, indicators=("referral_count", "rereferral_percent")),
        "sn": read_statistical_neighbours,
        "las": read_las,
        "csww": read_csww,
        "annexa": lambda p: read_annex_a(p, key=b"k" * 16),
    }


MINE = ("ees_", "annexa_", "csww_", "laref_")
EXPECTED = {
    k: v
    for k, v in json.loads((BROKEN / "expected.json").read_text()).items()
    if k.startswith(MINE)
}


def test_the_broken_corpus_is_big_enough() -> None:
    assert len(EXPECTED) >= 15
    assert all((BROKEN / name).is_file() for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_gives_its_coded_problem(name: str) -> None:
    expected = EXPECTED[name]
    with pytest.raises(InputError) as caught:
        _readers()[expected["reader"]](BROKEN / name)
    first = caught.value.problems[0]
    assert first.code == expected["code"]
    assert first.file == str(BROKEN / name)
    for field in ("row", "column", "sheet", "cell"):
        if field in expected:
            assert getattr(first, field) == expected[field], field


def test_every_real_ees_file_reads(shared_data: Path) -> None:
    files = sorted((shared_data / "dfe_csc_ees_la").rglob("*.csv"))
    assert len(files) >= 20
    for path in files:
        table = read_ees(path)
        assert len(table.frame) > 0, path
        assert table.indicators, path
