"""The demo report holds the theory-of-change diagrams and the progress map with their tables."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from csceval.simulate.pilots import Pilot
from csceval.strands.implementation.simulate import maturity


@pytest.fixture(scope="module")
def run(demo_project: Path, demo_run: Path) -> Path:
    """The demo's output (``out``) beside its project (``project``)."""
    root = demo_run.parent / "implementation-view"
    if not root.exists():
        root.mkdir()
        (root / "project").symlink_to(demo_project, target_is_directory=True)
        (root / "out").symlink_to(demo_run, target_is_directory=True)
    return root


def test_report_has_the_diagrams_and_progress_map_with_their_tables(run: Path) -> None:
    html = (run / "out" / "report" / "implementation.html").read_text(encoding="utf-8")
    blocks = (
        "toc-practice",
        "toc-organisational",
        "progress-map-T1",
        "progress-map-T2",
        "progress-map-change",
        "implementation-depth",
        "implementation-slippage",
        "implementation-milestones",
        "toc-evidence",
    )
    for block in blocks:
        assert f'id="{block}"' in html, block
    for table in ("toc-practice-nodes", "progress-T1", "progress-T2", "progress-change"):
        assert f'id="caption-{table}"' in html, table
        assert (run / "out" / "tables" / f"{table}.csv").is_file()
    for svg_id in ("svg-toc-practice", "svg-progress-map-T2"):
        start = html.index("<svg", html.index(f'id="{svg_id}-title"') - 600)
        ET.fromstring(html[start : html.index("</svg>", start) + 6])


def test_published_progress_map_matches_the_project_data(run: Path) -> None:
    with (run / "project" / "data" / "self_profiles.csv").open(encoding="utf-8") as f:
        raw = {(r["la_code"], r["element"]): r["rating"] for r in csv.DictReader(f)
               if r["time_point"] == "T2"}  # fmt: skip
    names = {}
    toml = (run / "project" / "evaluation.toml").read_text(encoding="utf-8")
    for block in toml.split("[[sites]]")[1:]:
        fields = dict(line.split(" = ", 1) for line in block.strip().splitlines() if " = " in line)
        names[fields["name"].strip('"')] = fields["la_code"].strip('"')
    with (run / "out" / "tables" / "progress-T2.csv").open(encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    data = [r for r in rows[1:] if r and r[0].removesuffix(" (exited)") in names]
    assert len(data) == 10
    assert sum(r[0].endswith(" (exited)") for r in data) == 2
    for row in data:
        code = names[row[0].removesuffix(" (exited)")]
        assert row[header.index("supervision")] == raw[(code, "supervision")]


def test_exited_pilots_decline_after_exit() -> None:
    from datetime import date

    p = Pilot(0, "401", "X", "exited", date(2015, 1, 1), date(2016, 6, 1), date(2018, 7, 1), {})
    assert maturity(p, date(2018, 6, 30)) > maturity(p, date(2019, 6, 30)) > 0
    assert maturity(p, date(2020, 6, 30)) == 0
