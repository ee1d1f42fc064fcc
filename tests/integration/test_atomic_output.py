"""``csceval run`` output is complete or absent: staged aside, manifest last, renamed into place."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from csceval.atomic import MANIFEST, check_manifest, staged_folder, write_file
from csceval.cli import main
from csceval.errors import InputError
from csceval.pipeline import run_project

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(valid_project: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(valid_project, root)
    return root


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


def test_a_rerun_replaces_the_folder_whole(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    run_project(project, out)
    assert check_manifest(out) == []
    (out / "tables" / "STALE-old-table.csv").write_text("stale\n")
    assert check_manifest(out) == ["not in the manifest: tables/STALE-old-table.csv"]
    summary = run_project(project, out)
    assert not (out / "tables" / "STALE-old-table.csv").exists()
    assert check_manifest(out) == []
    assert summary.files.index_html == out / "report" / "index.html"
    recorded = json.loads((out / MANIFEST).read_text())["files"]
    assert "report/index.html" in recorded
    assert MANIFEST not in recorded
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("where", "code"),
    [
        ("project", "CSC-E5005"),
        ("inside", "CSC-E5005"),
        ("file", "CSC-E5002"),
        ("other", "CSC-E5004"),
    ],
)
def test_an_unusable_out_is_refused_before_any_work(
    project: Path, tmp_path: Path, where: str, code: str
) -> None:
    out = {
        "project": project,
        "inside": project / "output",
        "file": tmp_path / "a-file",
        "other": tmp_path / "my-documents",
    }[where]
    if where == "file":
        out.write_text("not a folder")
    if where == "other":
        out.mkdir()
        (out / "thesis.docx").write_text("precious")
    before = sorted(p.name for p in project.rglob("*"))
    result = CliRunner().invoke(main, ["run", str(project), "--out", str(out)])
    assert result.exit_code == 2
    assert code in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in project.rglob("*")) == before
    if where == "other":
        assert (out / "thesis.docx").read_text() == "precious"


def test_a_failure_while_writing_leaves_the_old_output(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    run_project(project, out)
    before = (out / MANIFEST).read_bytes()

    def interrupted() -> None:
        with staged_folder(out) as staging:
            (staging / "half.csv").write_text("a,b\n")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert (out / MANIFEST).read_bytes() == before
    assert check_manifest(out) == []
    assert _leftovers(tmp_path) == []


def test_run_refuses_a_project_folder_as_out_with_a_coded_problem(project: Path) -> None:
    with pytest.raises(InputError) as caught:
        run_project(project, project)
    assert [p.code for p in caught.value.problems] == ["CSC-E5005"]


def test_a_killed_run_leaves_a_complete_output_or_the_old_one(
    project: Path, tmp_path: Path
) -> None:
    """SIGKILL at random moments: the folder is the old complete output or the new one.

    Between moving the old folder aside and renaming the new one in (two renames) there is no
    folder at all, which the guarantee allows ("complete or absent"); a later run tidies the
    leftovers of killed runs.
    """
    out = tmp_path / "output"
    run_project(project, out)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "csceval.cli", "run", str(project), "--out", str(out), "-q"]
    rng = random.Random(20261206)
    for _ in range(5):
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.2, 3.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if out.exists():
            assert check_manifest(out) == [], "the output folder is not a complete output"
    run_project(project, out)
    assert check_manifest(out) == []
    assert _leftovers(tmp_path) == [], "a later run leaves no debris of killed runs"


def test_write_file_replaces_whole_or_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "costs.xlsx"
    write_file(target, b"old")
    write_file(target, b"new")
    assert target.read_bytes() == b"new"

    def refuse(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_file(target, b"half")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["costs.xlsx"]
