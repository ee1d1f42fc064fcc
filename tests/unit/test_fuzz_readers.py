"""Mutation fuzzing of every reader of a user's file: a result or a coded problem, never a crash.

Each reader gets a valid seed (public synthetic samples from ../shared/data, or files csceval
writes itself) mutated by Hypothesis: bytes flipped, tokens that break parsers inserted (quotes,
NUL, entities, ``inf``, other scripts' digits, a 200 KB field), spans cut or repeated. Workbooks
are mutated inside their sheet XML and zipped again, so the mutation reaches the parser rather
than the zip's checksum. Outcome allowed: a value, or :class:`InputError` with coded problems.

The CIN census reader is also fuzzed on its tree (tests/unit/test_fuzz_cin_tree.py): well-formed
files, which reach the flattener and the typing that byte mutants (mostly no longer XML) rarely do.

``make test`` runs a short campaign (``CSCEVAL_FUZZ_EXAMPLES``, default 20 per reader); a longer
one is ``CSCEVAL_FUZZ_EXAMPLES=2000 .venv/bin/pytest tests/unit/test_fuzz_readers.py``
(docs/security.md). Crashers found are fixed and kept below as ``@example`` regressions.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from csceval.data.annex_a import read_annex_a
from csceval.data.cin_census import read_cin_census
from csceval.data.csww import read_csww
from csceval.data.ees import read_ees
from csceval.data.ssda903 import read_903_csv, read_903_xml
from csceval.errors import InputError
from csceval.pipeline import load_project
from csceval.strands.culture_survey.imports import read_export
from csceval.strands.culture_survey.xlsform import default_xlsform, read_xlsform
from csceval.strands.family_goals.goals_file import read_goals_file
from csceval.strands.quality_of_recording.case_list import parse as parse_case_list
from csceval.strands.scoping.responses_io import read_responses

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "data" / "samples"
EES = ROOT.parent / "shared" / "data" / "dfe_csc_ees_la"
VALID_PROJECT = ROOT / "tests" / "fixtures" / "valid_project"
EXAMPLES = int(os.environ.get("CSCEVAL_FUZZ_EXAMPLES", "20"))
KEY = b"k" * 32

TOKENS = [
    b'"', b"\n", b"\r\n", b",", b";", b"\0", b"\xff\xfe", b"<", b">", b"&", b"&a;", b"</x>",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>', b'<!ENTITY e SYSTEM "file:///etc/passwd">',
    b"<![CDATA[", b"inf", b"-Infinity", b"1e400", b"nan", "٣٤".encode(), b"9" * 40, b"=1+1",
    b"a" * 200_000, b"2019-02-30", b"-1", b"",
]  # fmt: skip


@st.composite
def mutations(draw: st.DrawFn) -> list[tuple[str, int, int]]:
    """Up to six edits; positions and sizes are taken modulo the seed's length when applied."""
    edit = st.one_of(
        st.tuples(st.just("flip"), st.integers(0, 2**20), st.integers(0, 255)),
        st.tuples(st.just("insert"), st.integers(0, 2**20), st.integers(0, len(TOKENS) - 1)),
        st.tuples(st.just("cut"), st.integers(0, 2**20), st.integers(1, 400)),
        st.tuples(st.just("repeat"), st.integers(0, 2**20), st.integers(1, 400)),
    )
    return draw(st.lists(edit, max_size=6))


def mutate(seed: bytes, edits: list[tuple[str, int, int]]) -> bytes:
    data = bytearray(seed)
    for kind, at, arg in edits:
        at %= max(len(data), 1)
        if kind == "flip" and data:
            data[at] = arg
        elif kind == "insert":
            data[at:at] = TOKENS[arg]
        elif kind == "cut":
            del data[at : at + arg]
        elif kind == "repeat":
            data[at:at] = data[at : at + arg] * 3
    return bytes(data)


FIRST_SHEET = ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml")


def mutate_workbook(
    seed: bytes, edits: list[tuple[str, int, int]], parts: tuple[str, ...] = FIRST_SHEET
) -> bytes:
    """The workbook with ``parts`` (its first sheet's XML and shared strings) mutated, zipped
    again."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(seed)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            data = source.read(name)
            if name in parts:
                data = mutate(data, edits)
            target.writestr(name, data)
    return out.getvalue()


@dataclass(frozen=True)
class Reader:
    name: str
    file: str
    seed: Callable[[], bytes]
    read: Callable[[Path], object]
    workbook: bool = False
    parts: tuple[str, ...] = FIRST_SHEET  # a workbook's parts that are mutated


def head(path: Path, lines: int = 25) -> Callable[[], bytes]:
    return lambda: b"".join(path.read_bytes().splitlines(keepends=True)[:lines])


def first_children(path: Path, keep: int = 6) -> Callable[[], bytes]:
    """An XML sample cut to the first ``keep`` children of its root (a header and a few records)."""

    def seed() -> bytes:
        root = ET.parse(path).getroot()
        for child in list(root)[keep:]:
            root.remove(child)
        return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))

    return seed


def _workbook(rows: list[list[object]], title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _project(path: Path) -> object:
    """The mutated file is the valid project's indicator table (or its settings)."""
    root = path.parent / "project"
    shutil.copytree(VALID_PROJECT, root)
    target = root / ("evaluation.toml" if path.suffix == ".toml" else "data/indicators.csv")
    target.write_bytes(path.read_bytes())
    return load_project(root)


def _django() -> None:
    """The returns reader belongs to csceval.web: load Django's settings (no database)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csceval.web.settings")
    os.environ.setdefault("CSCEVAL_SECRET_KEY", "tests-only-not-secret")
    import django

    django.setup()


def _returns_seed() -> bytes:
    """A pilot return template for LA 801 with two indicators and a cost line typed in."""
    _django()
    from openpyxl import load_workbook

    from csceval.web.returns.template import build_template

    book = load_workbook(io.BytesIO(build_template(la_code="801", la_name="x", year=2026)))
    indicators = book["Key indicators"]
    rows = {indicators.cell(row=r, column=1).value: r for r in range(2, indicators.max_row + 1)}
    indicators.cell(row=rows["referrals_count"], column=5, value=1200)
    indicators.cell(row=rows["rereferral_within_12m_pct"], column=5, value=21.5)
    line = ("Licences", "Framework licence", "One-off", "Cash", 12000, None, None, "Invoice")
    for column, value in enumerate(line, start=1):
        book["Costs"].cell(row=2, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read_return(path: Path) -> object:
    """The web upload's reader (it lists problems rather than raising): problems raised."""
    _django()
    from csceval.web.returns.upload import read_upload

    parsed = read_upload(path.read_bytes(), filename=path.name, la_code="801", year=2026)
    if parsed.problems:
        raise InputError(parsed.problems)
    return parsed


CASES: list[list[object]] = [
    ["case_id", "stratum", "opened", "closed"],
    ["C001", "cin", "2019-04-01", ""],
]
GOALS = b"la_code,family,goal,weight,rating\n801,F1,G1,1,0\n801,F1,G2,2,-1\n"
SCOPING = (
    b"response_id,la_code,respondent_role,frameworks,extent,since,training,licensing,received,"
    b"review_status,reviewed\nR1,801,head_of_service,signs_of_safety,whole_service,2017,in_house,licensed,"
    b"2020-01-05,accepted,2020-01-06\n"
)

READERS = [
    Reader(
        "ees",
        "c1.csv",
        head(EES / "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"),
        read_ees,
    ),
    Reader(
        "ssda903-csv",
        "header.csv",
        head(SAMPLES / "ssda903/csc_validator_be_903_fake/header.csv"),
        lambda p: read_903_csv([p], 2020),
    ),
    Reader(
        "ssda903-episodes",
        "episodes.csv",
        head(SAMPLES / "ssda903/csc_validator_be_903_fake/episodes.csv"),
        lambda p: read_903_csv([p], 2020),
    ),
    Reader(
        "ssda903-xml",
        "903.xml",
        first_children(SAMPLES / "ssda903/csc_validator_be_903_fake/fake_903.xml"),
        read_903_xml,
    ),
    Reader(
        "cin-census",
        "cin.xml",
        lambda: (SAMPLES / "cin_census/liiatools_samples/cin_2022_sample.xml").read_bytes(),
        read_cin_census,
    ),
    Reader(
        "csww",
        "csww.xml",
        first_children(SAMPLES / "csww/social_work_workforce_2022_sample.xml"),
        lambda p: read_csww(p, key=KEY),
    ),
    Reader(
        "annex-a",
        "annex.xlsx",
        lambda: (SAMPLES / "annex_a/Annex_A_sample_liiatools_v1.xlsx").read_bytes(),
        lambda p: read_annex_a(p, key=KEY),
        workbook=True,
    ),
    Reader(
        "project-table",
        "indicators.csv",
        lambda: (VALID_PROJECT / "data/indicators.csv").read_bytes(),
        _project,
    ),
    Reader(
        "project-settings",
        "evaluation.toml",
        lambda: (VALID_PROJECT / "evaluation.toml").read_bytes(),
        _project,
    ),
    Reader(
        "case-list-csv",
        "cases.csv",
        lambda: b"case_id,stratum,opened\nC001,cin,2019-04-01\nC002,cp,\n",
        lambda p: parse_case_list("801", p.name, p.read_bytes()),
    ),
    Reader(
        "case-list-xlsx",
        "cases.xlsx",
        lambda: _workbook(CASES),
        lambda p: parse_case_list("801", p.name, p.read_bytes()),
        workbook=True,
    ),
    Reader("goals", "goals.csv", lambda: GOALS, read_goals_file),
    Reader(
        "scoping-responses",
        "responses.csv",
        lambda: SCOPING,
        lambda p: read_responses(p.name, p.read_bytes(), {"801"}),
    ),
    Reader(
        "survey-export",
        "export.csv",
        lambda: b"site,team,time_point,safe_1\n871,T1,T1,4\n",
        lambda p: read_export(p.read_bytes(), p.name),
    ),
    Reader(
        "xlsform",
        "form.xlsx",
        default_xlsform,
        lambda p: read_xlsform(p.read_bytes(), p.name),
        workbook=True,
    ),
    Reader(
        "returns-xlsx",
        "return.xlsx",
        _returns_seed,
        _read_return,
        workbook=True,  # the instructions, indicators and costs sheets
        parts=(*FIRST_SHEET, "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml"),
    ),
]


@pytest.fixture(scope="module", params=READERS, ids=lambda r: r.name)
def reader(request: pytest.FixtureRequest, shared_data: Path) -> tuple[Reader, bytes]:
    case: Reader = request.param
    seed = case.seed()
    with tempfile.TemporaryDirectory() as folder:  # the seed itself must read cleanly
        path = Path(folder) / case.file
        path.write_bytes(seed)
        case.read(path)
    return case, seed


@settings(
    max_examples=EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=EXAMPLES <= 100,  # the short campaign in make test is the same every run
)
@given(edits=mutations())
# returns-xlsx: a sheet's XML cut short raised ParseError while the rows were read (issue 16).
@example(edits=[("cut", 1, 1)])
def test_a_mutated_file_gives_a_result_or_a_coded_problem(
    reader: tuple[Reader, bytes], edits: list[tuple[str, int, int]]
) -> None:
    case, seed = reader
    data = mutate_workbook(seed, edits, case.parts) if case.workbook else mutate(seed, edits)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / case.file
        path.write_bytes(data)
        problems = None
        try:
            case.read(path)
        except InputError as error:
            problems = error.problems
    if problems is not None:
        assert problems, "an InputError must carry its problems"
        assert all(re.fullmatch(r"CSC-E\d{4}", p.code) for p in problems), problems
