"""Shared by the ``csceval interviews`` tests: a small project with an invented fieldwork plan,
synthetic transcripts and codings (SYNTHETIC text, invented names), and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from csceval.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


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
            "interviews", "import-transcript", tmp / "INT-401-T1-1.txt", "--project", root, "-q"
        ).exit_code
        == 0
    )
    result = run(
        "interviews",
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
