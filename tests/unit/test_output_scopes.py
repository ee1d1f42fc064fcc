"""Run-file scopes: glob rules, the most restrictive match, LA codes, the manifest record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from csceval.atomic import MANIFEST, check_manifest, read_manifest, staged_folder
from csceval.output_scopes import CORE_RULES, FileScope, Scope, matches, scope_of
from csceval.pipeline.run import scope_record
from csceval.registry import registered_strands


@pytest.mark.parametrize(
    ("pattern", "path", "hit"),
    [
        ("report/**", "report/index.html", True),
        ("report/**", "report/la/415/index.html", True),
        ("report/**", "reports/index.html", False),
        ("tables/*.csv", "tables/trend-x.csv", True),
        ("tables/*.csv", "tables/sub/trend-x.csv", False),
        ("tables/*.csv", "tables/trend-x.csv.bak", False),
        ("tables/bench-{la}-*.csv", "tables/bench-415-cla.csv", True),
        ("tables/bench-{la}-*.csv", "tables/bench-41-cla.csv", False),
        ("report.xlsx", "reportXxlsx", False),
        ("tables/progress-?.csv", "tables/progress-T.csv", True),
    ],
)
def test_glob_patterns(pattern: str, path: str, hit: bool) -> None:
    assert matches(pattern, path) is hit


def test_the_most_restrictive_matching_rule_wins() -> None:
    strand = {"tables/costs-by-site.csv": Scope.ALL_LAS, "tables/*.csv": Scope.PUBLISHED}
    assert scope_of("tables/costs-by-site.csv", [strand]) == FileScope(Scope.ALL_LAS)
    assert scope_of("tables/trend-x.csv", [strand]) == FileScope(Scope.PUBLISHED)
    widen = {"report.xlsx": Scope.PUBLISHED}  # a strand cannot widen a core rule
    assert scope_of("report.xlsx", [widen]) == FileScope(Scope.ALL_LAS)
    assert scope_of("costs_workbook.xlsx") is None
    assert scope_of("costs_workbook.xlsx", [{"*.xlsx": Scope.ROW_LEVEL}]) == FileScope(
        Scope.ROW_LEVEL
    )


def test_one_la_files_name_their_la() -> None:
    rules = [{"tables/bench-{la}-*.csv": Scope.ONE_LA, "la-notes.txt": Scope.ONE_LA}]
    assert scope_of("tables/bench-415-cla.csv", rules) == FileScope(Scope.ONE_LA, "415")
    assert scope_of("la-notes.txt", rules) == FileScope(Scope.ALL_LAS)  # no LA in the path


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"scope": "everyone"},
        {"scope": "one_la"},
        {"scope": "one_la", "la_code": "41"},
        {"scope": "published", "la_code": "415"},
        {"scope": "published", "la_code": 415},
    ],
)
def test_a_manifest_entry_without_a_valid_scope_has_none(record: dict[str, object]) -> None:
    assert FileScope.from_record(record) is None


def test_records_round_trip() -> None:
    for scope in (FileScope(Scope.PUBLISHED), FileScope(Scope.ONE_LA, "415")):
        assert FileScope.from_record(scope.record()) == scope


def test_every_registered_strand_declares_valid_patterns() -> None:
    for strand in registered_strands():
        for pattern, scope in strand.output_scopes.items():
            assert isinstance(scope, Scope), (strand.id, pattern)
            assert not pattern.startswith("/"), (strand.id, pattern)
            assert ".." not in pattern, (strand.id, pattern)
    for pattern in CORE_RULES:
        assert not pattern.startswith("/")


def test_the_manifest_records_each_files_scope_and_stays_checkable(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_folder(out, describe=scope_record) as staging:
        for name in ("report/index.html", "tables/bench-415-cla.csv", "costs_workbook.xlsx"):
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_text("x")
        (staging / "stray.bin").write_text("x")
    files = read_manifest(out)
    assert files["report/index.html"]["scope"] == "published"
    bench = files["tables/bench-415-cla.csv"]
    assert (bench["scope"], bench["la_code"]) == ("one_la", "415")
    assert files["costs_workbook.xlsx"]["scope"] == "row_level"
    assert "scope" not in files["stray.bin"]  # no rule: recorded without a scope, never served
    assert check_manifest(out) == []
    (out / "report" / "index.html").write_text("changed")
    assert check_manifest(out) == ["changed or missing: report/index.html"]


def test_an_unreadable_or_oversized_manifest_lists_nothing(tmp_path: Path) -> None:
    assert read_manifest(tmp_path) == {}
    (tmp_path / MANIFEST).write_text("not json")
    assert read_manifest(tmp_path) == {}
    (tmp_path / MANIFEST).write_text(json.dumps({"files": {"a": {"scope": "published"}}}))
    assert read_manifest(tmp_path, limit=5) == {}
    assert read_manifest(tmp_path) == {"a": {"scope": "published"}}


@pytest.fixture(scope="module")
def real_run(demo_run: Path) -> Path:
    """The demo run through the real pipeline: every strand runs, so every file kind is there."""
    return demo_run


def test_every_file_a_real_run_writes_has_a_scope(real_run: Path) -> None:
    """Fails when a strand or the report writer adds a file kind no scope rule covers (it would
    never be served): give it a rule in csceval.output_scopes or the strand's output_scopes."""
    files = read_manifest(real_run)
    written = {p.relative_to(real_run).as_posix() for p in real_run.rglob("*") if p.is_file()}
    assert set(files) == written - {MANIFEST}
    unscoped = sorted(name for name, entry in files.items() if FileScope.from_record(entry) is None)
    assert unscoped == [], f"run files without a scope rule: {unscoped}"
    scopes = {name: FileScope.from_record(entry) for name, entry in files.items()}
    assert scopes["report/index.html"] == FileScope(Scope.PUBLISHED)
    assert scopes["costs_workbook.xlsx"] == FileScope(Scope.ROW_LEVEL)
    assert scopes["tables/costs-by-site.csv"] == FileScope(Scope.ALL_LAS)
    assert scopes["tables/quality-by-site.csv"] == FileScope(Scope.ALL_LAS)
    assert scopes["tables/progress-T2.csv"] == FileScope(Scope.ALL_LAS)
    one_la = {s.la_code for s in scopes.values() if s is not None and s.scope == Scope.ONE_LA}
    assert len(one_la) >= 2  # each pilot's benchmark tables and pages are that pilot's
