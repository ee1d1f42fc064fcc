"""The demo report's qualitative section: themes per theory-of-change box recover the simulator's
truth, small counts are suppressed, and quotes pass the disclosure check (demo_run, read-only)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from csceval.strands.interviews.simulate import PEOPLE, PLACES, TEMPLATES


def truth(project: Path) -> dict[str, object]:
    value = json.loads((project / "truth.json").read_text())["interviews"]
    assert isinstance(value, dict)
    return value


def test_theme_counts_recover_the_simulated_truth(demo_run: Path, demo_project: Path) -> None:
    themes = pd.read_csv(demo_run / "tables" / "interviews-themes.csv", dtype=str)
    true = truth(demo_project)["participants_mentioning"]
    assert isinstance(true, dict)
    by_code: dict[str, dict[str, int]] = {}
    sites: dict[str, set[str]] = {}
    for key, n in true.items():
        code, la, tp = key.split("|")
        by_code.setdefault(code, {}).setdefault(tp, 0)
        by_code[code][tp] += int(n)
        sites.setdefault(code, set()).add(la)
    assert len(themes) == len(TEMPLATES)  # a theme per simulated code, each with its box
    assert set(themes["box"]) == set(TEMPLATES)  # deductive codes: one per box
    time_points = ("T1", "T2")
    assert [c for c in themes.columns if c.startswith("p")] == ["p0", "p1"]
    for _, row in themes.iterrows():
        code = row["box"]
        assert int(row["sites"]) == len(sites[code])
        for k, tp in enumerate(time_points):
            published, expected = row[f"p{k}"], by_code[code].get(tp, 0)
            if published == "c":  # 1 to min_count participants: suppressed
                assert 1 <= expected <= 10
                continue
            # the first coder misreads 3% of (turn, code) pairs: counts are close, not equal
            assert abs(int(published) - expected) <= max(2, 0.1 * expected), (code, tp)


def test_the_section_is_in_the_report_and_quotes_pass_disclosure(demo_run: Path) -> None:
    html = (demo_run / "report" / "interviews.html").read_text()
    assert "Themes by theory-of-change box" in html
    quotes = pd.read_csv(demo_run / "tables" / "interviews-quotes.csv", dtype=str)
    everything = html + quotes.to_csv()
    for name in (*PEOPLE, *PLACES):
        for part in name.split():
            assert part not in everything
    roles = set(quotes["role"])
    assert roles <= {"senior leader", "manager", "practice lead", "practitioner", "staff member"}
    assert "staff member" in roles  # one leader and one manager per site and time: generalised
    assert not {"senior leader", "manager"} & roles
