"""SSDA903 reader: every shared sample, the code changes by year, and the broken corpus."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csceval.data.ssda903 import (
    PLACE_CANONICAL,
    TABLES,
    empty_table,
    place_codes,
    read_903,
    read_903_csv,
    read_903_folder,
    read_903_xml,
    recognise,
    tables_to_csv,
)
from csceval.data.ssda903_checks import _parse_dates, _plain_dates
from csceval.errors import InputError
from csceval.simulate.childlevel import ssda903_xml

BROKEN = Path(__file__).parents[1] / "fixtures" / "data_broken"
EXPECTED = json.loads((BROKEN / "expected_childlevel.json").read_text(encoding="utf-8"))
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_fake_903_csvs_all_tables(shared_data: Path) -> None:
    got = read_903_folder(shared_data / "samples/ssda903/csc_validator_be_903_fake")
    sizes = {t: len(f) for t, f in got.tables.items()}
    assert (sizes["episodes"], sizes["header"], sizes["reviews"]) == (5050, 2675, 12582)
    assert {
        "uasc",
        "missing",
        "oc2",
        "oc3",
        "ad1",
        "placed_for_adoption",
        "previous_permanence",
        "sw_episodes",
        "dolo",
    } <= set(sizes)
    episodes = got["episodes"]
    assert pd.api.types.is_datetime64_any_dtype(episodes["DECOM"])
    assert set(got["header"]["SEX"]) <= {"M", "F"}
    assert set(got["header"]["SEX_RAW"]) == {"1", "2"}
    assert got.warnings == []


def test_fake_903_xml_flattens_pl_to_place(shared_data: Path) -> None:
    got = read_903_xml(shared_data / "samples/ssda903/csc_validator_be_903_fake/fake_903.xml")
    assert (len(got["header"]), len(got["episodes"]), len(got["oc2"])) == (253, 459, 253)
    assert len(got["reviews"]) > 1000
    assert got["episodes"]["PLACE"].ne("").all()
    first = got["episodes"].iloc[0]
    assert (first["CHILD"], first["PLACE"], first["DECOM"]) == (
        "907440",
        "R5",
        pd.Timestamp("2017-01-06"),
    )


def test_liiatools_samples(shared_data: Path) -> None:
    folder = shared_data / "samples/ssda903/liiatools_samples"
    header = read_903_csv([folder / "SSDA903_2020_header.csv"], year=2020)
    assert len(header["header"]) == 5
    iso = read_903_csv([folder / "SSDA903_episodes_for_testing_fixes_INPUT.csv"])
    assert len(iso["episodes"]) == 23  # ISO dates, two extra columns (warnings)
    assert {w.code for w in iso.warnings} == {"CSC-E4110"}
    with pytest.raises(InputError) as caught:  # the sample's deliberately broken rows
        read_903_csv([folder / "SSDA903_2020_episodes.csv"])
    errors = {
        (p.code, p.row, p.column, p.value) for p in caught.value.problems if p.severity == "error"
    }
    assert errors == {("CSC-E4106", 3, "LS", ""), ("CSC-E4105", 6, "RNE", "*DUMMY*")}


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.startswith("ssda903_")))
def test_broken_corpus(name: str) -> None:
    expected = EXPECTED[name]
    year = 2025 if "2025" in name else None
    with pytest.raises(InputError) as caught:
        read_903(BROKEN / name, year)
    where = {(p.code, p.row, p.column) for p in caught.value.problems if p.severity == "error"}
    assert (expected["code"], expected["row"], expected["column"]) in where
    assert all(p.file == name for p in caught.value.problems)


def test_sex_codes_by_year(tmp_path: Path) -> None:
    path = _write(tmp_path, "h.csv", HEADER + "1,M,01/01/2015,WBRI,,,\n2,2,01/01/2015,WBRI,,,\n")
    got = read_903_csv([path], year=2024)
    assert list(got["header"]["SEX"]) == ["M", "F"]
    assert [(w.code, w.row) for w in got.warnings] == [("CSC-E4111", 2)]
    assert [(w.code, w.row) for w in read_903_csv([path], year=2025).warnings] == [("CSC-E4111", 3)]


@pytest.mark.parametrize(
    ("place", "year", "ok", "canonical"),
    [
        ("H5", 2024, True, "K3"),
        ("H5", 2025, False, ""),
        ("K3", 2024, False, ""),
        ("K3", 2025, True, "K3"),
        ("Z11", 2025, False, ""),
        ("Z11", 2026, True, "Z1"),
        ("P2", None, True, "K3"),
        ("U1", 2026, True, "U1"),
    ],
)
def test_place_codes_by_year(
    tmp_path: Path, place: str, year: int | None, ok: bool, canonical: str
) -> None:
    path = _write(tmp_path, "e.csv", EPISODES + f"1,01/05/2023,S,C2,N1,{place},PR1,,,,,,\n")
    if not ok:
        with pytest.raises(InputError) as caught:
            read_903_csv([path], year=year)
        assert [(p.code, p.column, p.value) for p in caught.value.problems] == [
            ("CSC-E4105", "PLACE", place)
        ]
        return
    got = read_903_csv([path], year=year)["episodes"]
    assert (got.at[0, "PLACE"], got.at[0, "PLACE_CANONICAL"]) == (place, canonical)


def test_canonical_mapping_targets_are_valid_codes() -> None:
    assert set(PLACE_CANONICAL.values()) <= place_codes(None)
    assert place_codes(2026) - place_codes(2025) == {"Z11", "Z12", "Z13", "Z14"}


def test_every_table_recognised_by_its_own_header() -> None:
    assert all(recognise(cols) == table for table, cols in TABLES.items())


def test_nothing_half_loaded(tmp_path: Path) -> None:
    good = _write(tmp_path, "header.csv", HEADER + "1,1,01/01/2015,WBRI,,,\n")
    bad = _write(tmp_path, "episodes.csv", EPISODES + "1,01/05/2023,S,C2,N1,U1,PR1,x,,,,,\n")
    with pytest.raises(InputError):
        read_903_csv([good, bad])
    assert read_903_csv([good])["episodes"].empty  # a missing table reads as empty


def test_xml_and_csv_agree(tmp_path: Path) -> None:
    xml = _write(
        tmp_path,
        "r.xml",
        "<EXPSSDA903><CHILD><HEADER><CHILDID>7</CHILDID><SEX>F</SEX>"
        "<DOB>01/02/2016</DOB><ETHNIC>WBRI</ETHNIC><UASC><DUC>01/02/2034</DUC></UASC>"
        "</HEADER><EPISODE><DECOM>01/05/2025</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN>"
        "<PL>Z12</PL><PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE></CHILD>"
        "</EXPSSDA903>",
    )
    got = read_903(xml, year=2026)
    assert got["episodes"].at[0, "PLACE_CANONICAL"] == "Z1"
    assert got["uasc"].at[0, "DUC"] == pd.Timestamp("2034-02-01")
    assert got["header"].at[0, "SEX"] == "F"


_day = st.dates(dt.date(2012, 1, 1), dt.date(2026, 12, 31))


@settings(max_examples=10, deadline=None)
@given(
    st.lists(
        st.tuples(_day, st.sampled_from(sorted("SLPTUB")), st.sampled_from(["C2", "V2", "V3"]),
                  st.sampled_from(["U1", "R1", "A4", "K2"]), st.integers(0, 400)),
        min_size=1,
        max_size=12,
    )
)  # fmt: skip
def test_xml_and_csv_round_trip(rows: list[tuple[dt.date, str, str, str, int]]) -> None:
    """What the simulator writes as XML and as CSV reads back the same either way."""
    episodes = pd.DataFrame(
        [{"CHILD": f"c{i % 3}", "DECOM": d, "RNE": rne, "LS": ls, "CIN": "N1", "PLACE": place,
          "PLACE_PROVIDER": "PR1", "DEC": d + dt.timedelta(days=n) if n else None,
          "REC": "X1" if n else "", "REASON_PLACE_CHANGE": "", "HOME_POST": "", "PL_POST": "",
          "URN": ""} for i, (d, rne, ls, place, n) in enumerate(rows)]
    )  # fmt: skip
    episodes = episodes.sort_values("CHILD", kind="stable").reset_index(drop=True)
    header = pd.DataFrame(
        {"CHILD": sorted(set(episodes["CHILD"])), "SEX": "1", "DOB": dt.date(2010, 5, 1),
         "ETHNIC": "WBRI", "UPN": "", "MOTHER": "", "MC_DOB": ""}
    )  # fmt: skip
    for frame, cols in ((episodes, ("DECOM", "DEC")), (header, ("DOB",))):
        for col in cols:
            frame[col] = pd.to_datetime(frame[col])
    tables = {"header": header, "episodes": episodes}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "r.xml").write_text(ssda903_xml(tables), encoding="utf-8")
        from_xml = read_903_xml(folder / "r.xml")
        from_csv = read_903_folder(Path(tables_to_csv(tables, folder / "csv")[0]).parent)
    for name in ("header", "episodes"):
        pd.testing.assert_frame_equal(from_xml[name], from_csv[name])
    got = from_csv["episodes"]
    assert list(got["DECOM"]) == list(episodes["DECOM"])
    assert list(got["PLACE"]) == list(episodes["PLACE"])


def test_a_plain_csv_and_a_padded_one_read_the_same(tmp_path: Path) -> None:
    """The fast path (a plain file, split by ``str.split``) and the checked one (quotes, padding,
    blank lines, row by row) give the same table and the same line numbers in problems."""
    rows = ["1,1,01/01/2015,WBRI,,,", "2,2,02/02/2016,WBRI,,,", "3,2,31/02/2016,WBRI,,,"]
    plain = _write(tmp_path, "plain.csv", HEADER + "\n".join(rows) + "\n")
    padded = _write(
        tmp_path,
        "padded.csv",
        HEADER + ' 1 ,"1",01/01/2015,WBRI,,,\n\n2,2,02/02/2016,WBRI , , ,\n3,2,31/02/2016,WBRI,,,',
    )
    caught = []
    for path in (plain, padded):
        with pytest.raises(InputError) as error:
            read_903_csv([path])
        caught.append([(p.code, p.row, p.column) for p in error.value.problems])
    assert caught[0] == [("CSC-E4104", 4, "DOB")]
    assert caught[1] == [("CSC-E4104", 5, "DOB")]  # the blank line counts
    fixed = [path.read_text().replace("31/02", "28/02") for path in (plain, padded)]
    tables = [
        read_903_csv([_write(tmp_path, f"{i}.csv", t)])["header"] for i, t in enumerate(fixed)
    ]
    pd.testing.assert_frame_equal(tables[0], tables[1])
    assert len(tables[0]) == 3


def test_rows_of_the_wrong_width_are_named_even_when_the_commas_add_up(tmp_path: Path) -> None:
    """A row a cell too long and one a cell short hold the header's number of commas between
    them: each is still an E4101 (an earlier fast path read them shifted by a column)."""
    path = _write(tmp_path, "h.csv", HEADER + "1,1,01/01/2010,WBRI,,,,\n2,2,01/01/2011,WBRI,,\n")
    with pytest.raises(InputError) as error:
        read_903_csv([path])
    assert [(p.code, p.row) for p in error.value.problems] == [("CSC-E4101", 2), ("CSC-E4101", 3)]


def test_a_table_with_no_rows_has_the_empty_tables_types(tmp_path: Path) -> None:
    got = read_903_csv([_write(tmp_path, "h.csv", HEADER + ",,,,,,\n")])["header"]
    assert got.empty
    assert got.dtypes.to_dict() == empty_table("header").dtypes.to_dict()


def _uk(day: int, month: int, year: int) -> str:
    return f"{day:02d}/{month:02d}/{year:04d}"


_MONTH_END = st.one_of(st.integers(1, 31), st.integers(28, 31))
_PLAIN = st.one_of(st.just(""), st.builds(_uk, _MONTH_END, st.integers(1, 12),
                                          st.integers(1670, 2270)))  # fmt: skip
_ODD = st.one_of(
    st.builds(_uk, st.integers(0, 40), st.integers(0, 13), st.integers(0, 9999)),
    st.sampled_from(["1/2/2019", "2019-03-01", "2019-02-30", "2019-3-1", "01/01/2019 ", "x",
                     "today", "now", "Today", "01/01/2019now"]),
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_PLAIN, min_size=1, max_size=20) | st.lists(_PLAIN | _ODD, max_size=20))
def test_dates_parsed_as_pandas_parses_them(values: list[str]) -> None:
    """Plain dd/mm/YYYY columns are parsed by numpy (the rest by pandas): same dates, same NaTs;
    words pandas would read as the clock's time (``today``, ``now``) are not dates."""
    text = pd.Series(values, dtype=object)
    text = text.where(~text.isin(["today", "now", "Today"]), "?")
    uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    expected = uk.fillna(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))
    got = pd.Series(_parse_dates(values))
    pd.testing.assert_series_equal(got, expected.astype("datetime64[ns]"))


def test_today_and_now_are_not_dates(tmp_path: Path) -> None:
    """pandas reads them as the clock's time whatever the format: an E4104, as any bad date."""
    rows = "1,1,01/01/2015,WBRI,,,\n2,2,today,WBRI,,,\n3,2,now,WBRI,,,\n4,1,1/2/2015,WBRI,,,\n"
    with pytest.raises(InputError) as error:
        read_903_csv([_write(tmp_path, "h.csv", HEADER + rows)])
    got = [(p.code, p.row, p.column, p.value) for p in error.value.problems]
    assert got == [("CSC-E4104", 3, "DOB", "today"), ("CSC-E4104", 4, "DOB", "now")]


def test_numpy_parses_plain_columns_only() -> None:
    got = _plain_dates(["29/02/2012", "", "31/12/2261", "01/01/1678"])
    assert got is not None
    assert list(got.astype(str)) == [
        "2012-02-29T00:00:00.000000000", "NaT", "2261-12-31T00:00:00.000000000",
        "1678-01-01T00:00:00.000000000",
    ]  # fmt: skip
    odd = ["29/02/2013", "31/04/2019", "00/01/2019", "01/01/1677", "1/2/2019", "2019-01-01"]
    for cell in [*odd, "01/01/2019\x00", "01/01/20190", "01/01/2019 ", "01.01.2019", "\x00"]:
        assert _plain_dates(["01/01/2019", cell]) is None
