"""Every strand's findings feed the theory-of-change evidence map (declared input, never redone).

The demo's strands run once per test session (``demo_evaluation``); the report's HTML is read
from the session's ``demo_run``.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import replace
from pathlib import Path

import pytest

from csceval.disclosure import DisclosurePolicy
from csceval.indicators import Better
from csceval.pipeline import Evaluation
from csceval.pipeline.run import StrandRun, analyse_strands, policy_of
from csceval.project import Project
from csceval.registry import RegistryError, check_strands, registered_strands
from csceval.strands.evidence_finding import (
    EvidenceFinding,
    combined_direction,
    count_text,
    direction_of,
)
from csceval.strands.implementation.evidence import INSTRUMENTS, STRANDS
from csceval.strands.implementation.evidence_map import box_findings
from csceval.strands.implementation.progress import ImplementationResult
from csceval.strands.implementation.theory_of_change import parse_theory_of_change
from csceval.strands.interviews.evidence import interviews_evidence
from csceval.strands.interviews.section import render_interviews

PROVIDERS = ("key-indicators", "impact", "child-impact", "costs", "quality-of-recording",
             "culture-survey", "interviews", "family-goals")  # fmt: skip


@pytest.fixture(scope="module")
def project(demo_evaluation: Evaluation) -> Project:
    return demo_evaluation.project


@pytest.fixture(scope="module")
def runs(demo_evaluation: Evaluation) -> dict[str, StrandRun]:
    """Every strand of the demo, run once per test session, by id (in run order)."""
    return {run.strand.id: run for run in demo_evaluation.runs}


@pytest.fixture(scope="module")
def implementation(runs: dict[str, StrandRun]) -> ImplementationResult:
    result: ImplementationResult = runs["implementation"].result
    return result


def _findings(runs: dict[str, StrandRun]) -> list[EvidenceFinding]:
    return [f for run in runs.values() for f in run.evidence]


def test_directions_follow_the_indicator_s_desirable_direction() -> None:
    assert direction_of(+2.0, Better.LOWER) == "against"  # a rise in re-referrals
    assert direction_of(-2.0, Better.LOWER) == "supports"
    assert direction_of(+2.0, Better.HIGHER) == "supports"
    assert direction_of(+2.0, Better.HIGHER, clear=False) == "inconclusive"
    assert direction_of(+2.0, Better.NEITHER) == "inconclusive"
    assert direction_of(0.0, Better.LOWER) == "no-change"
    assert direction_of(math.nan, Better.LOWER) == "inconclusive"
    assert combined_direction(["supports", "against"]) == "mixed"
    assert combined_direction(["supports", "mixed"]) == "mixed"
    assert combined_direction(["supports", "inconclusive"]) == "supports"
    assert combined_direction(["no-change", "no-change"]) == "no-change"
    assert count_text(3, DisclosurePolicy(min_count=5)) == "fewer than 6"
    assert count_text(0, DisclosurePolicy(min_count=5)) == "0"
    with pytest.raises(ValueError, match="kind:id"):
        EvidenceFinding("cla", "impact", "supports", None, "text")


def test_evidence_consumers_run_after_every_provider_and_cycles_are_refused() -> None:
    ids = [s.id for s in registered_strands()]
    providers = [s.id for s in registered_strands() if s.evidence is not None]
    assert set(PROVIDERS) <= set(providers)
    assert all(ids.index(p) < ids.index("implementation") for p in providers)
    by_id = {s.id: s for s in registered_strands()}
    consumer = replace(by_id["implementation"], id="map", error_range=None, error_codes={},
                       tables=(), files=(), web=None)  # fmt: skip
    provider = replace(by_id["key-indicators"], id="trend")
    assert [s.id for s in check_strands([consumer, provider])] == ["trend", "map"]
    looped = replace(provider, consumes=("map",))
    with pytest.raises(RegistryError, match="consumes evidence, but evidence provider trend"):
        check_strands([consumer, looped])


def test_every_reference_names_a_registered_strand_and_old_names_still_load() -> None:
    titles = {s.id: s.title for s in registered_strands()}
    assert {k: titles[k] for k in STRANDS} == STRANDS
    assert {i.strand for i in INSTRUMENTS.values()} - {""} <= set(titles)
    old = """
[[theories]]
id = "t"
title = "T"
[[theories.nodes]]
id = "a"
kind = "input"
title = "A"
evidence = ["strand:deep-dives", "strand:staff-survey", "strand:family-outcomes"]
"""
    node = parse_theory_of_change(old.encode()).theories[0].nodes[0]
    assert node.evidence == ("strand:interviews", "strand:culture-survey", "strand:family-goals")


def test_only_one_strand_drags_in_no_evidence_provider(project: Project) -> None:
    ran = analyse_strands(project, only="implementation")
    assert [r.strand.id for r in ran] == ["implementation"]
    result: ImplementationResult = ran[0].result
    assert {f.strand for f in ran[0].evidence} == set()
    assert set(result.evidence["strand"]) <= {"", STRANDS["implementation"]}


def test_every_provider_states_findings_on_the_demo(runs: dict[str, StrandRun]) -> None:
    for strand_id in PROVIDERS:
        found = runs[strand_id].evidence
        assert found, strand_id
        assert all(f.strand == strand_id for f in found)


def test_every_box_a_strand_that_ran_speaks_to_has_its_finding(
    runs: dict[str, StrandRun], implementation: ImplementationResult
) -> None:
    findings = [*implementation.findings, *_findings(runs)]
    spoken = {f.reference for f in findings}
    by_strand = {f.strand for f in findings if f.reference.partition(":")[0] != "instrument"}
    checked = 0
    for theory in implementation.theory.theories:
        for node in theory.nodes:
            pairs = box_findings(node, findings)
            for ref in node.evidence:
                kind, _, ident = ref.partition(":")
                answerable = ref in spoken or (kind == "strand" and ident in by_strand)
                if answerable:
                    checked += 1
                    assert any(r == ref and f is not None for r, f in pairs), (node.id, ref)
            for f in findings:
                if f.node == node.id:
                    assert (f.reference, f) in pairs
    assert checked >= 20
    table = implementation.evidence
    assert set(table["strand"]) - {""} >= {STRANDS[s] for s in PROVIDERS if s != "costs"}


def test_a_finding_shows_no_count_below_the_disclosure_threshold(
    runs: dict[str, StrandRun], project: Project
) -> None:
    policy = policy_of(project)
    small = re.compile(
        rf"\b([1-{policy.min_count}])\s+(participant|famil|child|staff|respondent|people|case)"
    )
    for finding in _findings(runs):
        assert not small.search(finding.text), finding.text
    strict = DisclosurePolicy(min_count=40)
    result = runs["interviews"].result
    found = interviews_evidence(result, render_interviews(result, strict), strict)
    linked = result.site_matrix[
        [bool(result.codebook.code(c).toc_node) for c in result.site_matrix["code"]]
    ]
    counts = linked.groupby(["code", "time_point"])["participants"].sum()
    n_small = int(counts.between(1, strict.min_count).sum())
    assert n_small
    assert sum(f.text.count("fewer than 41") for f in found) == n_small
    for f in found:
        said = f.text.split("mentioning it: ")[1]
        assert not any(1 <= int(n) <= 40 for n in re.findall(r"\b(\d+) at T", said)), f.text


def test_findings_say_what_the_strands_own_sections_say(runs: dict[str, StrandRun]) -> None:
    for strand_id in ("impact", "child-impact", "quality-of-recording", "culture-survey",
                      "family-goals"):  # fmt: skip
        run = runs[strand_id]
        assert run.section is not None
        said = {f.text: f.strength for f in run.section.findings}
        for finding in run.evidence:
            assert said[finding.text] == finding.strength, finding.text
    impact = runs["impact"]
    strengths = impact.result.to_frame().drop_duplicates("indicator").set_index("indicator")
    by_reference = {f.reference: f for f in impact.evidence}
    assert len(by_reference) == len(impact.evidence) >= 1
    for ind in impact.result.indicators:
        finding = by_reference[f"indicator:{ind.indicator.id}"]
        assert finding.strength == strengths.loc[ind.indicator.id, "strength"]
        head = ind.get("synth_pooled")
        if finding.direction in ("supports", "against"):
            good = (head.estimate < 0) == (ind.indicator.better is Better.LOWER)
            assert good == (finding.direction == "supports")
            assert finding.strength in ("moderate", "high")
        else:
            assert finding.strength in ("low", "none")


def test_the_implementation_section_states_the_map(
    runs: dict[str, StrandRun], implementation: ImplementationResult
) -> None:
    boxes = implementation.boxes
    assert len(boxes) == sum(len(t.nodes) for t in implementation.theory.theories)
    assert set(boxes["status"]) <= {"supported", "contradicted", "contested", "inconclusive",
                                    "not yet evidenced"}  # fmt: skip
    section = runs["implementation"].section
    assert section is not None
    counts = boxes["status"].value_counts()
    said = section.findings[-1].text
    for status, n in counts.items():
        assert f"{n} {status}" in said
    supported = boxes[boxes["status"] == "supported"].iloc[0]
    assert supported["verdict"].startswith("Supported by")


def test_the_demo_report_shows_the_evidence_map_with_findings(demo_run: Path) -> None:
    page = html.unescape((demo_run / "report" / "implementation.html").read_text("utf-8"))
    for block in ("toc-verdicts", "toc-evidence"):
        assert f'id="{block}"' in page
    assert "What it found" in page
    assert "by the random-trend model" in page
    assert "Interviews: the theme" in page
    assert 'class="status"' in page  # the diagrams mark each box's status in words
    csv = (demo_run / "tables" / "toc-evidence.csv").read_text("utf-8")
    assert "supports" in csv
    assert "inconclusive" in csv
