"""Plans and self-profiles: validation codes, and progress numbers checked by hand."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.pipeline import validate_project
from csceval.strands.implementation.elements import (
    anchor_for,
    bands,
    elements,
    validate_self_profile_rows,
)
from csceval.strands.implementation.progress import (
    change_map,
    depth_index,
    milestone_slippage,
    progress_map,
    reviewed_ratings,
    slippage_summary,
)

ROW = {"la_code": "401", "time_point": "T1", "element": "supervision", "rating": 4}


def test_elements_and_anchors_are_data() -> None:
    assert len(elements()) >= 8
    assert [(b.low, b.high) for b in bands()] == [(0, 3), (4, 6), (7, 10)]
    assert anchor_for("supervision", 10) == elements()[3].anchors["embedded"]


@pytest.mark.parametrize(
    ("change", "code", "column"),
    [
        ({"rating": 11}, "CSC-E3150", "rating"),
        ({"rating": "7.5"}, "CSC-E3150", "rating"),
        ({"rating": -1}, "CSC-E3150", "rating"),
        ({"element": "astrology"}, "CSC-E3151", "element"),
        ({"time_point": "T9"}, "CSC-E3152", "time_point"),
        ({"la_code": "402"}, "CSC-E3153", "la_code"),
        ({"rating": ""}, "CSC-E3155", "rating"),
        ({"status": "approved"}, "CSC-E3155", "status"),
    ],
)
def test_self_profile_rows_are_checked(change: dict[str, object], code: str, column: str) -> None:
    rows = [ROW, {**ROW, "element": "leadership", **change}]
    found = validate_self_profile_rows(rows, time_points=["T1", "T2"], pilots=["401"])
    assert [(p.code, p.row, p.column) for p in found] == [(code, 3, column)]


def test_a_repeated_rating_is_refused() -> None:
    found = validate_self_profile_rows([ROW, ROW])
    assert [(p.code, p.row) for p in found] == [("CSC-E3155", 3)]
    assert validate_self_profile_rows([ROW, {**ROW, "rating": 0, "status": "draft"}][:1]) == []


def _project_with(tmp_path: Path, valid_project: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "project"
    shutil.copytree(valid_project, root)
    for name, text in files.items():
        (root / "data" / name).write_text(text, encoding="utf-8")
    return root


def test_invalid_project_tables_are_rejected_with_codes(
    tmp_path: Path, valid_project: Path
) -> None:
    root = _project_with(
        tmp_path,
        valid_project,
        {
            "self_profiles.csv": "la_code,time_point,element,rating\n401,T1,supervision,11\n",
            "implementation_milestones.csv": "la_code,element,milestone,planned,achieved,status\n"
            "401,horoscopes,Stars aligned,2018-01-01,,planned\n"
            "401,supervision,Template,2018-01-01,,achieved\n",
        },
    )
    found = {(p.code, p.file, p.row, p.column, p.value) for p in validate_project(root)}
    assert found == {
        ("CSC-E3150", "data/self_profiles.csv", 2, "rating", "11"),
        ("CSC-E3151", "data/implementation_milestones.csv", 2, "element", "horoscopes"),
        ("CSC-E3154", "data/implementation_milestones.csv", 3, "achieved", ""),
    }


def test_valid_project_tables_are_accepted(tmp_path: Path, valid_project: Path) -> None:
    root = _project_with(
        tmp_path,
        valid_project,
        {"self_profiles.csv": "la_code,time_point,element,rating,status\n"
         "401,T1,supervision,3,reviewed\n401,T2,supervision,6,\n"},
    )  # fmt: skip
    assert validate_project(root) == []


# A tiny fixture worked by hand: two pilots, two elements, T1 and T2.
RATINGS = pd.DataFrame(
    [
        ("A", "T1", "leadership", 2, "reviewed"),
        ("A", "T1", "learning", 4, "reviewed"),
        ("A", "T2", "leadership", 6, "reviewed"),
        ("A", "T2", "learning", 5, ""),
        ("B", "T1", "leadership", 8, "reviewed"),
        ("B", "T2", "leadership", 7, "reviewed"),
        ("B", "T2", "learning", 9, "submitted"),  # not reviewed: left out
    ],
    columns=["la_code", "time_point", "element", "rating", "status"],
)


def test_progress_map_and_change_by_hand() -> None:
    ratings = reviewed_ratings(RATINGS)
    assert len(ratings) == 6
    t2 = progress_map(ratings, ["A", "B"], "T2")
    assert (t2.loc["A", "leadership"], t2.loc["A", "learning"]) == (6, 5)
    assert np.isnan(t2.loc["B", "learning"])
    assert np.isnan(t2.loc["A", "supervision"])
    change = change_map(ratings, ["A", "B"], "T1", "T2")
    assert change.loc["A", "leadership"] == 4  # 6 - 2
    assert change.loc["A", "learning"] == 1  # 5 - 4
    assert change.loc["B", "leadership"] == -1  # 7 - 8
    assert np.isnan(change.loc["B", "learning"])


def test_depth_index_by_hand() -> None:
    depth = depth_index(reviewed_ratings(RATINGS)).set_index(["la_code", "time_point"])
    assert depth.loc[("A", "T1"), "index"] == pytest.approx(0.3)  # (2 + 4) / 2 / 10
    assert depth.loc[("A", "T2"), "index"] == pytest.approx(0.55)
    assert depth.loc[("B", "T2"), "n_elements"] == 1
    # Two elements rated 2 and 4: every resample mean is 0.2, 0.3 or 0.4.
    assert depth.loc[("A", "T1"), "low"] == pytest.approx(0.2)
    assert depth.loc[("A", "T1"), "high"] == pytest.approx(0.4)
    # One element: no spread at all.
    assert depth.loc[("B", "T1"), "low"] == depth.loc[("B", "T1"), "high"] == 0.8


def test_slippage_by_hand() -> None:
    plans = pd.DataFrame(
        [
            ("A", "leadership", "m1", date(2019, 1, 1), date(2019, 1, 11), "achieved"),
            ("A", "learning", "m2", date(2019, 1, 1), date(2018, 12, 22), "achieved"),
            ("A", "learning", "m3", date(2019, 6, 1), None, "in_progress"),
            ("A", "supervision", "m4", date(2020, 6, 1), None, "planned"),
            ("A", "supervision", "m5", date(2019, 1, 1), None, "dropped"),
        ],
        columns=["la_code", "element", "milestone", "planned", "achieved", "status"],
    )
    slipped = milestone_slippage(plans, date(2019, 6, 30))
    assert slipped["days_late"].tolist()[:3] == [10.0, -10.0, 29.0]
    assert np.isnan(slipped["days_late"].iat[3])
    summary = slippage_summary(slipped, ["A"]).iloc[0]
    assert (summary["planned"], summary["due"], summary["achieved"], summary["on_time"]) == (
        4, 3, 2, 1,
    )  # fmt: skip
    assert summary["share_on_time"] == pytest.approx(100 / 3)
    assert summary["mean_days_late"] == pytest.approx(29 / 3)


def test_a_draft_may_leave_ratings_blank_but_not_out_of_range() -> None:
    draft = {**ROW, "rating": "", "status": "draft"}
    assert validate_self_profile_rows([draft]) == []
    found = validate_self_profile_rows([{**draft, "rating": 12}])
    assert [p.code for p in found] == ["CSC-E3150"]


def test_heatmap_colours_only_published_values() -> None:
    import xml.etree.ElementTree as ET

    from csceval.disclosure import ColumnRole, PublishedColumn, TableSpec, protect
    from csceval.report.model import Heatmap, Series
    from csceval.report.svg import heat_colour, render_heatmap

    frame = pd.DataFrame({"pilot": ["A", "B"], "x": [10.0, np.nan]})
    spec = TableSpec(
        columns=(
            PublishedColumn("pilot", "Pilot", ColumnRole.LABEL),
            PublishedColumn("x", "X", ColumnRole.VALUE, dp=0),
        )
    )
    chart = Heatmap("h", "H", "t", "pilot", (Series("x", "X"),), "Heatmap.", (0.0, 10.0))
    svg = render_heatmap(chart, protect(frame, spec))
    assert svg == render_heatmap(chart, protect(frame, spec))
    ns = "{http://www.w3.org/2000/svg}"
    cells = [r for r in ET.fromstring(svg).iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
    assert [c.get("fill") for c in cells] == [heat_colour(10, 0, 10, False), "#FFFFFF"]
    assert [c.findtext(f"{ns}title") for c in cells] == ["A, X: 10", "B, X: x"]
    assert heat_colour(-5, -5, 5, True) == "#B35806"
    assert heat_colour(0, -5, 5, True) == "#F7F7F7"


def test_slippage_by_element_by_hand() -> None:
    plans = pd.DataFrame(
        [
            ("A", "learning", "m2", date(2019, 1, 1), date(2018, 12, 22), "achieved"),
            ("B", "learning", "m3", date(2019, 6, 1), None, "in_progress"),
            ("B", "leadership", "m1", date(2019, 1, 1), date(2019, 1, 11), "achieved"),
        ],
        columns=["la_code", "element", "milestone", "planned", "achieved", "status"],
    )
    slipped = milestone_slippage(plans, date(2019, 6, 30))
    row = slippage_summary(slipped, ["learning"], by="element").iloc[0]
    assert (row["element"], row["planned"], row["due"], row["achieved"], row["on_time"]) == (
        "learning", 2, 2, 1, 1,
    )  # fmt: skip
    assert row["share_on_time"] == 50
    assert row["mean_days_late"] == pytest.approx((-10 + 29) / 2)
