"""import-project and export-project are whole or nothing (issue 16).

``csceval import-project`` is killed (SIGKILL) at random moments, five times, each in a process
of its own against the test database: afterwards the database holds the old evaluation or the
new one, never a mix, and the audit chain still verifies. Export writes a folder aside and
renames it into place, manifest last. Runs on SQLite and, in the PostgreSQL pass, PostgreSQL.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from backup_helpers import database_url, subprocess_env
from django.db import connection

from csceval.atomic import check_manifest
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import verify_chain
from csceval.web.evaluation.models import EvaluationSetup, IndicatorValue, ProjectFile
from csceval.web.evaluation.project_io import import_project, project_files, write_project

VALID = Path(__file__).parents[1] / "fixtures" / "valid_project"
KILLS = 5

# One process starts up (Django, the pipeline, the project reader) once, then forks a child for
# each import: the child runs `csceval import-project PATH` (the command's own code, with a
# database connection of its own) and is the process the test kills. Forking spares four
# interpreter start-ups, and the kill lands in the import rather than in a start-up.
ZYGOTE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csceval.web.settings")
import django
django.setup()
from pathlib import Path
from django.db import connection, connections
from csceval.cli import main
from csceval.pipeline import load_project
load_project(Path(sys.argv[1]))
connection.ensure_connection()
connections.close_all()
print("ready", flush=True)
for line in sys.stdin:
    command, _, argument = line.strip().partition(" ")
    if command == "import":
        pid = os.fork()
        if pid == 0:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the summary is not an answer
            code = 1
            try:
                main(["import-project", argument])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            finally:
                os._exit(code)
        print(pid, flush=True)
    elif command == "wait":
        _, status = os.waitpid(int(argument), 0)
        print(os.waitstatus_to_exitcode(status), flush=True)
"""


def _projects(tmp_path: Path) -> tuple[Path, Path]:
    """Two valid projects that differ in every table the import writes."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(VALID, old)
    shutil.copytree(VALID, new)
    toml = new / "evaluation.toml"
    toml.write_text(toml.read_text().replace("Fixture evaluation", "Second evaluation"))
    rows = (new / "data/indicators.csv").read_text().splitlines(keepends=True)
    (new / "data/indicators.csv").write_text("".join(rows[:-40]))
    notes = new / "notes"
    notes.mkdir()
    rng = random.Random(16)
    for i in range(120):
        (notes / f"note-{i:03d}.txt").write_bytes(rng.randbytes(16 * 1024).hex().encode())
    return old, new


def _state() -> tuple[str, int, int]:
    setup = EvaluationSetup.current()
    name = setup.settings_json["evaluation"]["name"] if setup is not None else ""
    return name, IndicatorValue.objects.count(), ProjectFile.objects.count()


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_the_old_evaluation_or_the_new_never_half(tmp_path: Path) -> None:
    old, new = _projects(tmp_path)
    env = subprocess_env(tmp_path / "data", database_url())
    zygote = subprocess.Popen(
        [sys.executable, "-c", ZYGOTE, str(old)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert zygote.stdin is not None
    assert zygote.stdout is not None

    def ask(line: str) -> int:
        zygote.stdin.write(line + "\n")  # type: ignore[union-attr]
        zygote.stdin.flush()  # type: ignore[union-attr]
        return int(zygote.stdout.readline())  # type: ignore[union-attr]

    try:
        import_project(old, actor="test")
        state_old = _state()
        assert zygote.stdout.readline().strip() == "ready"
        started = time.monotonic()
        assert ask(f"wait {ask(f'import {new}')}") == 0  # once uninterrupted: how long it takes
        took = time.monotonic() - started
        state_new = _state()
        assert state_old != state_new
        assert state_new[2] == 120
        states = {old: state_old, new: state_new}
        current, imports = state_new, 2
        seed = random.randrange(10**6)
        rng = random.Random(seed)
        journal = Path(f"{connection.settings_dict['NAME']}-journal")
        outcomes = []
        for _ in range(KILLS):
            target = new if current == state_old else old
            child = ask(f"import {target}")
            time.sleep(rng.uniform(0.3, 1.0) * took)
            os.kill(child, signal.SIGKILL)
            status = ask(f"wait {child}")
            in_transaction = connection.vendor == "sqlite" and journal.exists()  # a hot journal
            after = _state()
            assert after in (current, states[target]), f"half an import (seed {seed}): {after}"
            imports += after != current
            outcomes.append(
                "finished"
                if status == 0
                else f"killed{' in its transaction' if in_transaction else ''}, "
                + ("new" if after != current else "old")
            )
            current = after
            if status == 0:  # it finished before the kill: aim earlier next time
                took *= 0.7
            assert AuditEvent.objects.filter(action="project.import").count() == imports
            assert verify_chain() == []
        print(f"kills (seed {seed}, last window {took:.2f}s): {outcomes}")
    finally:
        zygote.kill()
        zygote.wait()


@pytest.mark.django_db
def test_export_is_written_aside_and_replaces_an_earlier_export_whole(tmp_path: Path) -> None:
    import_project(VALID, actor="test")
    out = tmp_path / "export"
    write_project(out, project_files())
    assert check_manifest(out) == []
    (out / "data" / "STALE-old-table.csv").write_text("stale\n")
    write_project(out, project_files())  # an earlier export: replaced whole
    assert not (out / "data" / "STALE-old-table.csv").exists()
    assert check_manifest(out) == []
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    with pytest.raises(IsADirectoryError):  # a file where a folder was written: fails midway
        write_project(out, {**project_files(), "data": b"not a folder"})
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before  # the old one stands
    assert [p.name for p in tmp_path.iterdir()] == ["export"]  # no staging left behind
    other = tmp_path / "other"
    other.mkdir()
    (other / "mine.txt").write_text("not an export")
    with pytest.raises(FileExistsError):
        write_project(other, project_files())
    assert import_project(out, actor="test").other_files == 0  # the manifest is not imported
