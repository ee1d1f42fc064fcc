"""Tree fuzzing of the CIN census reader: a result or a coded problem, never a crash.

Byte mutants (tests/unit/test_fuzz_readers.py) are mostly no longer XML, so they rarely reach the
flattener and the typing. Here the public sample is mutated as a tree and stays well-formed:
elements deleted, repeated, moved, renamed (also to the generated ids' names) or added, texts
changed. Same campaign sizes as test_fuzz_readers.py (``CSCEVAL_FUZZ_EXAMPLES``, default 20);
crashers found are kept as ``@example`` regressions.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped]

from csceval.data.cin_census import read_cin_census
from csceval.errors import InputError

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "data" / "samples"
EXAMPLES = int(os.environ.get("CSCEVAL_FUZZ_EXAMPLES", "20"))

CIN_SEED = SAMPLES / "cin_census/liiatools_samples/cin_2022_sample.xml"
CIN_TAGS = [
    "LAchildID", "UPN", "PersonBirthDate", "GenderCurrent", "Sex", "Disabilities", "Disability",
    "CINdetails", "CINreferralDate", "ReferralSource", "ReferralNFA", "Assessments",
    "FactorsIdentifiedAtAssessment", "AssessmentFactors", "CINPlanDates", "Section47",
    "ICPCnotRequired", "ChildProtectionPlans", "NumberOfPreviousCPP", "Reviews", "CPPreviewDate",
    "PreProceedingsandFGDM", "ReviewMeetingsCount", "CINdetailsID", "AssessmentID", "CPPID",
    "ChildIdentifiers", "Child", "Header", "Shoe",
]  # fmt: skip
"""Tags an edit targets (the first element so named) or writes: the seed's, the generated ids'
and one unknown."""
CIN_TEXTS = ["", " ", "1.5", "1A", "-1", "1e400", "inf", "9" * 40, "true", "today", "2024-02-30",
             "1", "0", "2024-01-01", "X"]  # fmt: skip
TreeEdit = tuple[str, str, str, str]


def mutate_tree(seed: bytes, edits: list[TreeEdit]) -> bytes:
    """The seed with each edit ``(kind, target, tag, text)`` applied to the first element named
    ``target`` (skipped if there is none): deleted, repeated, moved into the first ``tag``,
    renamed ``tag``, given ``text``, or given a child ``tag`` with ``text``."""
    root = etree.fromstring(seed)
    for kind, target, tag, text in edits:
        elem = next(root.iter(target), None)
        parent = None if elem is None else elem.getparent()
        if elem is None or parent is None:
            continue
        if kind == "delete":
            parent.remove(elem)
        elif kind == "repeat":
            elem.addnext(copy.deepcopy(elem))
        elif kind == "move":
            into = next(root.iter(tag), None)
            if into is not None and elem not in into.iterancestors() and into is not elem:
                into.append(elem)
        elif kind == "rename":
            elem.tag = tag
        elif kind == "text":
            elem.text = text
        elif kind == "add":
            etree.SubElement(elem, tag).text = text
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


tree_edits = st.lists(
    st.tuples(
        st.sampled_from(["delete", "repeat", "move", "rename", "text", "add"]),
        st.sampled_from(CIN_TAGS),
        st.sampled_from(CIN_TAGS),
        st.sampled_from(CIN_TEXTS),
    ),
    min_size=1,
    max_size=4,
)


@pytest.fixture(scope="module")
def cin_seed(shared_data: Path) -> bytes:
    return CIN_SEED.read_bytes()


@settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=EXAMPLES <= 100,
)
@given(edits=tree_edits)
# Crashes found by tree mutants (TypeError, IntCastingNaNError, ValueError): a count that is not
# whole; factors or reviews outside their own block (no id to key them by); an element named
# like a generated id inside a block, not a number (1.5 was read as 1).
@example(edits=[("text", "NumberOfPreviousCPP", "", "1.5")])
@example(edits=[("move", "FactorsIdentifiedAtAssessment", "Section47", "")])
@example(edits=[("move", "Reviews", "Assessments", "")])
@example(edits=[("add", "Assessments", "AssessmentID", "1A")])
@example(edits=[("add", "ChildProtectionPlans", "CPPID", "inf")])
@example(edits=[("rename", "ReferralSource", "CINdetailsID", "")])
def test_a_mutated_cin_tree_gives_a_result_or_a_coded_problem(
    cin_seed: bytes, edits: list[TreeEdit]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cin.xml"
        path.write_bytes(mutate_tree(cin_seed, edits))
        problems = None
        try:
            read_cin_census(path)
        except InputError as error:
            problems = error.problems
    if problems is not None:
        assert problems, "an InputError must carry its problems"
        assert all(re.fullmatch(r"CSC-E\d{4}", p.code) for p in problems), problems
