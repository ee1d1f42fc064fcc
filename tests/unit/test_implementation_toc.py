"""The theory-of-change file: the default loads; broken files are refused with their codes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from csceval.errors import InputError
from csceval.strands.implementation.diagram import render_theory_svg, text_equivalent
from csceval.strands.implementation.theory_of_change import (
    find_cycles,
    load_theory_of_change,
    parse_theory_of_change,
)

SVG = "{http://www.w3.org/2000/svg}"

TINY = """
[[theories]]
id = "t"
title = "Tiny"

[[theories.nodes]]
id = "a"
kind = "input"
title = "A"
evidence = ["indicator:cla_rate_per_10k"]

[[theories.nodes]]
id = "b"
kind = "activity"
title = "B"

[[theories.nodes]]
id = "c"
kind = "activity"
title = "C"

[[theories.nodes]]
id = "d"
kind = "outcome"
title = "D"
evidence = ["instrument:self_profile", "strand:costs"]

[[theories.edges]]
from = "a"
to = "b"

[[theories.edges]]
from = "b"
to = "c"

[[theories.edges]]
from = "c"
to = "d"
"""


def codes(text: str) -> list[tuple[str, str, str]]:
    with pytest.raises(InputError) as caught:
        parse_theory_of_change(text.encode())
    return [(p.code, p.column, p.value) for p in caught.value.problems]


def test_default_has_a_practice_and_an_organisational_theory() -> None:
    toc = load_theory_of_change()
    assert toc.source == "default"
    assert [t.id for t in toc.theories] == ["practice", "organisational"]
    assert all(len(t.nodes) >= 8 and t.edges for t in toc.theories)


def test_a_project_file_replaces_the_default(tmp_path: Path) -> None:
    (tmp_path / "theory_of_change.toml").write_text(TINY, encoding="utf-8")
    toc = load_theory_of_change(tmp_path)
    assert toc.source == "theory_of_change.toml"
    assert [n.id for n in toc.theories[0].nodes] == ["a", "b", "c", "d"]


def test_a_cycle_is_refused_naming_its_nodes() -> None:
    text = TINY + '\n[[theories.edges]]\nfrom = "c"\nto = "b"\n'
    assert codes(text) == [("CSC-E3107", "theories[0].edges", "b, c")]


def test_a_backward_edge_is_refused() -> None:
    text = TINY + '\n[[theories.edges]]\nfrom = "d"\nto = "a"\n'
    found = codes(text)
    assert ("CSC-E3106", "theories[0].edges[3]", "d -> a") in found
    assert ("CSC-E3107", "theories[0].edges", "a, b, c, d") in found


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('to = "d"', 'to = "zz"'), ("CSC-E3105", "theories[0].edges[2].to", "zz")),
        (('id = "c"', 'id = "b"'), ("CSC-E3103", "theories[0].nodes[2].id", "b")),
        (('kind = "outcome"', 'kind = "impact"'), ("CSC-E3104", "theories[0].nodes[3].kind",
                                                   "impact")),
        (("strand:costs", "strand:astrology"),
         ("CSC-E3108", "theories[0].nodes[3].evidence[1]", "strand:astrology")),
        (("indicator:cla_rate_per_10k", "cla_rate"),
         ("CSC-E3108", "theories[0].nodes[0].evidence[0]", "cla_rate")),
        (('title = "Tiny"', 'title = "Tiny"\ncolour = "red"'),
         ("CSC-E3102", "theories[0].colour", "red")),
    ],
)  # fmt: skip
def test_broken_files_are_refused_with_code_and_location(
    change: tuple[str, str], expected: tuple[str, str, str]
) -> None:
    old, new = change
    assert expected in codes(TINY.replace(old, new, 1))


def test_bad_toml_and_an_empty_file_are_refused() -> None:
    assert codes("[[theories]\n")[0][0] == "CSC-E3101"
    assert codes("")[0][:2] == ("CSC-E3109", "theories")


def test_find_cycles_traces_each_cycle_once() -> None:
    nodes = ["a", "b", "c", "d", "e"]
    edges = [("a", "b"), ("b", "a"), ("c", "c"), ("c", "d"), ("d", "e")]
    assert find_cycles(nodes, edges) == [["a", "b"], ["c"]]
    assert find_cycles(nodes, [("a", "b"), ("b", "c")]) == []


def test_diagram_is_well_formed_accessible_and_deterministic() -> None:
    theory = load_theory_of_change().theories[0]
    svg = render_theory_svg(theory, "svg-toc-practice")
    assert svg == render_theory_svg(theory, "svg-toc-practice")
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title") is not None
    assert root.find(f"{SVG}desc") is not None
    assert len(root.findall(f"{SVG}g[@class='node']")) == len(theory.nodes)
    assert len(root.findall(f"{SVG}path[@marker-end]")) == len(theory.edges)


def test_diagram_marks_each_box_s_evidence_status_in_words() -> None:
    theory = load_theory_of_change().theories[0]
    statuses = {n.id: ("supported" if i % 2 else "not yet evidenced")
                for i, n in enumerate(theory.nodes)}  # fmt: skip
    root = ET.fromstring(render_theory_svg(theory, "svg-toc-practice", statuses))
    marks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "status"]
    assert sorted(marks) == sorted(
        "\u2713 supported" if s == "supported" else "\u2013 not yet evidenced"
        for s in statuses.values()
    )
    plain = ET.fromstring(render_theory_svg(theory, "svg-toc-practice"))
    assert not [t for t in plain.iter(f"{SVG}text") if t.get("class") == "status"]
    table = text_equivalent(theory, statuses)
    assert dict(zip(table["node"], table["evidence_map"], strict=True)) == {
        n.title: statuses[n.id] for n in theory.nodes
    }


def test_text_equivalent_lists_every_node_with_its_links() -> None:
    theory = parse_theory_of_change(TINY.encode()).theories[0]
    table = text_equivalent(theory)
    assert list(table["node"]) == ["A", "B", "C", "D"]
    assert (table.loc[1, "led_to_by"], table.loc[1, "leads_to"]) == ("A", "C")
    assert table.loc[3, "evidence"] == (
        "Instrument: Self-profiling instrument (T1, T2); Strand: Costs and value"
    )


def test_a_broken_project_file_stops_the_run_before_anything_is_written(
    tmp_path: Path, valid_project: Path
) -> None:
    import shutil

    from csceval.pipeline import run_project
    from csceval.strands.implementation.theory_of_change import check_theory_file

    root = tmp_path / "project"
    shutil.copytree(valid_project, root)
    assert check_theory_file(root) == []
    cyclic = TINY + '\n[[theories.edges]]\nfrom = "c"\nto = "b"\n'
    (root / "theory_of_change.toml").write_text(cyclic, encoding="utf-8")
    assert [p.code for p in check_theory_file(root)] == ["CSC-E3107"]
    with pytest.raises(InputError) as caught:
        run_project(root, tmp_path / "out")
    assert caught.value.problems[0].file == "theory_of_change.toml"
    assert not (tmp_path / "out").exists()


def test_validate_project_reports_the_projects_own_theory_of_change(
    valid_project: Path, tmp_path: Path
) -> None:
    import shutil

    from csceval.pipeline import validate_project

    project = tmp_path / "project"
    shutil.copytree(valid_project, project)
    (project / "theory_of_change.toml").write_text("[[theories]\n", encoding="utf-8")
    problems = validate_project(project)
    assert [p.code for p in problems] == ["CSC-E3101"]
    assert problems[0].file == "theory_of_change.toml"
