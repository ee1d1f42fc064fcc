"""``csceval qual``: redact, reconcile, quotes (CSV and XLSX) and the ``.qdc`` codebook commands.

Every transcript here is invented for the tests (SYNTHETIC text, invented names).
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
from lxml import etree  # type: ignore[import-untyped]
from qual_helpers import TXT, coded_project, qdc_schema, refi_schema, run, small_project

from csceval.strands.interviews.codebook import default_codebook, parse_codebook
from csceval.strands.interviews.project_io import load_interviews_project

__all__ = ["qdc_schema", "refi_schema"]


def test_redact_prints_the_redacted_text_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text(TXT)
    (tmp_path / "names.csv").write_text("name,kind\nRowan Ember,person\nFernleigh,place\n")
    before = sorted(tmp_path.rglob("*"))
    result = run("qual", "redact", tmp_path / "t.txt", "--names", tmp_path / "names.csv", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    text = json.dumps(data["turns"])
    for name in ("Pat", "Quill", "Rowan", "Ember", "Fernleigh", "pat.q@example.org", "2019"):
        assert name not in text
    assert data["turns"][0]["speaker"] == "Interviewer"
    assert data["turns"][1]["speaker"].startswith("[PERSON-")  # the label is a name too
    assert {r["kind"] for r in data["redactions"]} == {"person", "place", "email", "date"}
    assert sorted(tmp_path.rglob("*")) == before
    plain = run("qual", "redact", tmp_path / "t.txt", "--names", tmp_path / "names.csv")
    assert "[PLACE]" in plain.output
    assert "Rowan" not in plain.output
    (tmp_path / "bad.csv").write_text("who\nX\n")
    bad = run("qual", "redact", tmp_path / "t.txt", "--names", tmp_path / "bad.csv")
    assert bad.exit_code == 2
    assert "CSC-E3611" in bad.output


def test_reconcile_stores_the_agreed_codings_and_the_record(tmp_path: Path) -> None:
    root = coded_project(tmp_path)
    (tmp_path / "decisions.csv").write_text(
        "transcript_id,turn,code,decision,decided_by\n"
        "INT-401-T1-1,2,practice-leads,omit,C-03\nFG-401-T1-2,3,aligned-supervision,apply,C-03\n"
    )
    result = run("qual", "reconcile", root, "--decisions", tmp_path / "decisions.csv", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(p["transcript_id"], p["turn"]) for p in data["pending"]] == [("INT-401-T1-1", 3)]
    project = load_interviews_project(root)
    codings = project.table("interview_codings")
    agreed = codings[codings["pass"] == "reconciled"]
    assert sorted(zip(agreed["transcript_id"], agreed["first_turn"], agreed["coder"],
                      strict=True)) == [("FG-401-T1-2", 2, "C-01"), ("FG-401-T1-2", 3, "C-03"),
                                        ("INT-401-T1-1", 2, "C-01"),
                                        ("INT-401-T1-1", 4, "C-01")]  # fmt: skip
    record = project.table("interview_reconciliations")
    assert set(record["decided_by"]) == {"agreed", "C-03"}
    again = run("qual", "reconcile", root, "--decisions", tmp_path / "decisions.csv")
    assert again.exit_code == 0  # idempotent: the reconciled codings are replaced, not doubled
    assert len(load_interviews_project(root).table("interview_codings")) == len(codings)
    (tmp_path / "bad.csv").write_text("transcript_id,turn\nINT-401-T1-1,x\n")
    bad = run("qual", "reconcile", root, "--decisions", tmp_path / "bad.csv")
    assert bad.exit_code == 2
    assert "CSC-E3634" in bad.output


def test_quotes_as_csv_and_xlsx_with_formulas_neutralised(tmp_path: Path) -> None:
    root = coded_project(tmp_path)
    turns_file = root / "data" / "transcript_turns.csv"
    turns = pd.read_csv(turns_file, dtype=str, keep_default_na=False)
    evil = '=HYPERLINK("http://example.org") it is still a checklist if I am honest'
    turns.loc[(turns["transcript_id"] == "FG-401-T1-2") & (turns["turn"] == "3"), "text"] = evil
    turns.to_csv(turns_file, index=False)
    csv_out, xlsx_out = tmp_path / "q.csv", tmp_path / "q.xlsx"
    assert run("qual", "quotes", root, "--out", csv_out, "-q").exit_code == 0
    assert run("qual", "quotes", root, "--out", xlsx_out).exit_code == 0
    frame = pd.read_csv(csv_out, keep_default_na=False)
    assert list(frame.columns) == ["source", "turn", "speaker_role", "site", "la_code",
                                   "time_point", "code", "text"]  # fmt: skip
    assert "'" + evil in set(frame["text"])
    assert "R-02" not in csv_out.read_text()  # analysis-only consent: never quoted
    sheet = openpyxl.load_workbook(xlsx_out).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]  # nothing stored as a formula
    assert "'" + evil in {c.value for c in cells}


def test_qdc_export_and_import(tmp_path: Path, qdc_schema: etree.XMLSchema) -> None:
    root = small_project(tmp_path)
    out = tmp_path / "book.qdc"
    assert run("qual", "export-qdc", root, "--out", out, "-q").exit_code == 0
    assert qdc_schema.validate(etree.parse(str(out))), qdc_schema.error_log
    target = small_project(tmp_path / "b")
    result = run("qual", "import-qdc", out, "--project", target)
    assert result.exit_code == 0, result.output
    stored = parse_codebook((target / "interviews" / "codebook.toml").read_bytes())
    assert stored.codes == default_codebook().codes
    again = run("qual", "import-qdc", out, "--project", target)
    assert again.exit_code == 2
    assert "CSC-E3617" in again.output


def test_merge_and_split_codes_in_a_project(tmp_path: Path) -> None:
    root = coded_project(tmp_path)
    (root / "data" / "interview_memos.csv").write_text(
        "memo_id,target_kind,target_id,author,text,created\n"
        "M-1,code,practice-leads,C-01,[SYNTHETIC] Leads.,2026-05-01T10:00:00Z\n"
    )
    merged = run("qual", "merge-codes", root, "practice-leads", "--into", "aligned-supervision")
    assert merged.exit_code == 0, merged.output
    project = load_interviews_project(root)
    book = project.files["interview_codebook"]
    assert book.version == "1.1"
    assert "practice-leads" not in {c.id for c in book.codes}
    codes = project.table("interview_codings")["code"]
    assert "practice-leads" not in set(codes)
    assert project.table("interview_memos").at[0, "target_id"] == "aligned-supervision"
    keys = ["INT-401-T1-1:4-4:C-01:first", "INT-401-T1-1:2-4:C-02:second"]
    split = run("qual", "split-code", root, "aligned-supervision", "--new", "leads-on-visits",
                "--title", "Leads on visits", "--definition", "Practice leads out on visits.",
                "--segment", keys[0], "--segment", keys[1])  # fmt: skip
    assert split.exit_code == 0, split.output
    project = load_interviews_project(root)
    book = project.files["interview_codebook"]
    assert book.version == "1.2"
    assert book.code("leads-on-visits").parent == book.code("aligned-supervision").parent
    codings = project.table("interview_codings")
    moved = codings[codings["code"] == "leads-on-visits"]
    assert sorted(moved["coder"]) == ["C-01", "C-02"]
    assert len(codings) == 6  # nothing lost on the way
    bad = run("qual", "merge-codes", root, "nope", "--into", "aligned-supervision")
    assert bad.exit_code == 2
    assert "CSC-E3615" in bad.output
