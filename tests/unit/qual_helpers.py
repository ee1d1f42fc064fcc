"""Shared by the ``csceval qual`` unit tests: a small project with an invented fieldwork plan,
synthetic transcripts and codings (SYNTHETIC text, invented names), and a CLI runner.

Named apart from ``tests/web/interviews_helpers.py``: test modules of both folders share one
import namespace, so two helper modules of one name would shadow each other."""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree  # type: ignore[import-untyped]

from csceval.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REFI = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "refi-qda"


@pytest.fixture(scope="session")
def refi_schema() -> etree.XMLSchema:
    """The QDA-XML 1.0 schema in ../shared/reference: skipped on a user's clone, required in CI."""
    if not (REFI / "Project.xsd").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the REFI-QDA schema is missing: {REFI}")
        pytest.skip(f"needs the REFI-QDA schema {REFI} (not part of a user's clone)")
    return etree.XMLSchema(etree.parse(str(REFI / "Project.xsd")))


@pytest.fixture(scope="session")
def qdc_schema(refi_schema: etree.XMLSchema) -> etree.XMLSchema:
    """REFI's codebook schema, derived from Project.xsd: the same CodeBook, Codes and Code
    types in the ``urn:QDA-XML:codebook:1.0`` namespace, with CodeBook as the root element."""
    text = (REFI / "Project.xsd").read_text(encoding="utf-8")
    text = text.replace("urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1.0")
    root = '<xsd:element name="CodeBook" type="CodeBookType"/>'
    text = text.replace('<xsd:element name="Project" type="ProjectType">', root + "\n" +
                        '<xsd:element name="Project" type="ProjectType">', 1)  # fmt: skip
    return etree.XMLSchema(etree.fromstring(text.encode("utf-8")))


def qdpx(qde: str | bytes, files: dict[str, bytes] | None = None) -> bytes:
    """A .qdpx archive made by hand: project.qde and the given files."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
        for name, data in (files or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


NS = "urn:QDA-XML:project:1.0"


TXT = """Interviewer: [SYNTHETIC] How has the training gone at Fernleigh?
Pat Quill: Rowan Ember ran it on 3 May 2019 and it helped me map worries with families.
Interviewer: Anything else?
Pat Quill: Our practice lead comes out on visits; email pat.q@example.org for the notes.
"""


VTT = """WEBVTT

00:00:01.000 --> 00:00:03.000
<v Interviewer>[SYNTHETIC] What about supervision?</v>

00:00:03.500 --> 00:00:08.000
<v Sam Reed>Supervision now uses the same mapping we use with families.</v>

00:00:08.000 --> 00:00:12.000
<v Lee Park>For me it is still a checklist, if I am honest about it.</v>
"""


CODINGS = """transcript_id,first_turn,last_turn,code,coder,pass
INT-401-T1-1,2,2,trained-workforce,C-01,first
INT-401-T1-1,4,4,practice-leads,C-01,first
INT-401-T1-1,2,2,trained-workforce,C-02,second
INT-401-T1-1,2,4,practice-leads,C-02,second
FG-401-T1-2,2,3,aligned-supervision,C-01,first
FG-401-T1-2,2,2,aligned-supervision,C-02,second
"""


def small_project(tmp: Path) -> Path:
    root = tmp / "project"
    shutil.copytree(FIXTURES / "valid_project", root)
    data = root / "data"
    (data / "interviews.csv").write_text(
        "interview_id,la_code,time_point,kind,topic_guide_version,status\n"
        "INT-401-T1-1,401,T1,interview,1.0,done\nFG-401-T1-2,401,T1,focus_group,1.0,done\n"
    )
    (data / "interview_participants.csv").write_text(
        "participant,la_code,role\nR-01,401,manager\nR-02,401,practitioner\nR-03,401,practitioner\n"
    )
    (data / "interview_attendance.csv").write_text(
        "interview_id,participant\nINT-401-T1-1,R-01\nFG-401-T1-2,R-02\nFG-401-T1-2,R-03\n"
    )
    (data / "interview_consents.csv").write_text(
        "participant,form_version,consent_date,scope,withdrawn_date\n"
        "R-01,1.0,2018-09-01,analysis_and_quotes,\nR-02,1.0,2018-09-01,analysis,\n"
        "R-03,1.0,2018-09-01,analysis_and_quotes,\n"
    )
    (root / "interviews").mkdir()
    (root / "interviews" / "names.toml").write_text(
        'people = ["Pat Quill", "Rowan Ember"]\nplaces = ["Fernleigh"]\n'
        '[speakers]\n"Pat Quill" = "R-01"\n"Interviewer" = "I-01"\n'
    )
    return root


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def coded_project(tmp: Path) -> Path:
    root = small_project(tmp)
    (tmp / "INT-401-T1-1.txt").write_text(TXT)
    (tmp / "fg.vtt").write_text(VTT)
    assert (
        run(
            "qual", "import-transcript", tmp / "INT-401-T1-1.txt", "--project", root, "-q"
        ).exit_code
        == 0
    )
    result = run(
        "qual",
        "import-transcript",
        tmp / "fg.vtt",
        "--project",
        root,
        "--id",
        "FG-401-T1-2",
        "--speaker",
        "Sam Reed=R-02",
        "--speaker",
        "Lee Park=R-03",
        "-q",
    )
    assert result.exit_code == 0, result.output
    (root / "data" / "interview_codings.csv").write_text(CODINGS)
    return root
