"""The hex cartogram's layout: every LA of a year exactly once, reorganised LAs included."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.data.la_reference import read_las, read_regions, reorganisations_table
from csceval.errors import InputError
from csceval.project.tables import LOCAL_AUTHORITIES, REORGANISATIONS
from csceval.strands.scoping.hexes import (
    alive,
    hexes_for_project,
    neighbours,
    parse_hexjson,
    shared_cells,
    synthetic_hexes,
)

HEXJSON = "la_reference/hexmap/england_utla_2020.hexjson"


def reference_las(shared_data: Path) -> pd.DataFrame:
    """Every English LA with a 3-digit number since 2010, from the EES LA list."""
    las = read_las(shared_data / "la_reference" / "ees_las.csv")
    regions = read_regions(shared_data / "la_reference" / "ees_regions.csv")
    keep = las["la_code"].str.fullmatch(r"\d{3}") & las["gss_code"].str.fullmatch(r"E\d{8}")
    las = las[keep].copy()
    start = pd.to_datetime(las["date_of_operation"], format="%d/%m/%Y")
    end = pd.to_datetime(las["date_of_termination"], format="%d/%m/%Y", errors="coerce")
    las["first_year"] = start.dt.year + (start.dt.month >= 4)  # year ending 31 March
    las["last_year"] = (end.dt.year + (end.dt.month >= 4)).astype("Int64")
    las = las.sort_values(["la_code", "status", "first_year"], ascending=[True, True, False])
    rows = []
    for code, group in las.groupby("la_code", sort=True):
        last = None if group["last_year"].isna().any() else int(group["last_year"].max())
        if last is not None and last < 2010:
            continue
        top = group.iloc[0]
        rows.append(
            [
                code,
                top["gss_code"],
                top["la_name"],
                top["region_code"],
                regions[top["region_code"]],
                max(int(group["first_year"].min()), 2010),
                last,
                "",
            ]
        )
    frame = pd.DataFrame(rows, columns=list(LOCAL_AUTHORITIES.column_names))
    frame["last_year"] = frame["last_year"].astype("Int64")
    return frame


@pytest.fixture(scope="module")
def real(shared_data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    las = reference_las(shared_data)
    hexes = parse_hexjson((shared_data / HEXJSON).read_bytes(), HEXJSON)
    frame, problems = hexes_for_project(hexes, las, reorganisations_table())
    assert problems == []
    return las, frame


@pytest.mark.parametrize("year", [2019, 2021, 2022, 2024])
def test_every_la_of_the_year_is_on_the_map_exactly_once(
    real: tuple[pd.DataFrame, pd.DataFrame], year: int
) -> None:
    las, frame = real
    present = alive(las, year)
    drawn = frame[frame["la_code"].isin(present)]
    assert set(drawn["la_code"]) == present
    assert drawn["la_code"].is_unique
    assert not drawn[["q", "r"]].duplicated().any()
    expected = {2019: 152, 2021: 151, 2022: 152, 2024: 153}[year]  # incl. City and Scilly
    assert len(present) == expected


def test_split_las_sit_beside_each_other_and_take_the_old_hex(
    real: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    _, frame = real
    cell = {c: (int(q), int(r)) for c, q, r in zip(frame.la_code, frame.q, frame.r, strict=True)}
    assert cell["940"] == cell["928"]  # North Northamptonshire takes Northamptonshire's hex
    assert cell["942"] == cell["909"]  # Cumberland takes Cumbria's
    assert cell["941"] in neighbours(cell["940"])
    assert cell["943"] in neighbours(cell["942"])
    assert cell["835"] == cell["838"]  # Dorset county on Dorset's hex
    assert shared_cells(frame, real[0]) == []


def test_the_hexmap_command_writes_the_project_file(tmp_path: Path, shared_data: Path) -> None:
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    reference_las(shared_data).to_csv(project / LOCAL_AUTHORITIES.file, index=False)
    reorganisations_table().to_csv(project / REORGANISATIONS.file, index=False)
    result = CliRunner().invoke(
        main, ["scoping", "hexmap", str(shared_data / HEXJSON), "--project", str(project)]
    )
    assert result.exit_code == 0, result.output
    written = pd.read_csv(project / "data" / "la_hexes.csv", dtype={"la_code": str})
    assert list(written.columns) == ["la_code", "q", "r", "label"]
    assert len(written) == len(reference_las(shared_data))
    assert not list(project.glob("data/.*tmp"))


def test_the_hexmap_command_refuses_a_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.hexjson"
    bad.write_text('{"layout": "odd-r", "hexes": {"E1": {"q": 1}}}')
    result = CliRunner().invoke(main, ["scoping", "hexmap", str(bad), "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert "CSC-E3511" in result.output
    assert not (tmp_path / "data" / "la_hexes.csv").exists()


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"not json", "CSC-E3510"),
        (b'{"layout": "odd-q", "hexes": {}}', "CSC-E3510"),
        (b"[1, 2]", "CSC-E3510"),
        (
            json.dumps({"hexes": {"A": {"q": 1, "r": 1}, "B": {"q": 1, "r": 1}}}).encode(),
            "CSC-E3511",
        ),
        (b" " * 2_000_001, "CSC-E3510"),
    ],
)
def test_broken_hexjson_gives_coded_problems(content: bytes, code: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_hexjson(content, "x.hexjson")
    assert {p.code for p in caught.value.problems} == {code}


def test_an_la_with_no_hex_is_reported() -> None:
    las = pd.DataFrame({"la_code": ["401", "402"], "gss_code": ["E1", "E2"], "la_name": ["A", "B"]})
    frame, problems = hexes_for_project({"E1": (0, 0, "A")}, las, reorganisations_table())
    assert list(frame["la_code"]) == ["401"]
    assert [(p.code, p.value) for p in problems] == [("CSC-E3512", "402")]


def test_the_synthetic_layout_places_every_la_by_region() -> None:
    las = pd.DataFrame(
        {
            "la_code": ["401", "402", "403", "404", "405", "406"],
            "la_name": ["Ash", "Birch", "Cedar", "Dale", "Elm", "Fir"],
            "region_name": ["London", "London", "North East", "North East", "North East", "London"],
            "first_year": [2010, 2010, 2010, 2010, 2022, 2022],
            "last_year": pd.array([None, None, None, 2021, None, None], dtype="Int64"),
        }
    )
    reorganisations = pd.DataFrame(
        {
            "year": [2022, 2022],
            "old_la_code": ["404", "404"],
            "new_la_code": ["405", "406"],
            "kind": ["split"] * 2,
        }
    )
    frame = synthetic_hexes(las, reorganisations)
    assert list(frame["la_code"]) == list(las["la_code"])
    assert shared_cells(frame, las) == []
    for year in (2021, 2022):
        drawn = frame[frame["la_code"].isin(alive(las, year))]
        assert not drawn[["q", "r"]].duplicated().any()
    assert synthetic_hexes(las, reorganisations).equals(frame)
