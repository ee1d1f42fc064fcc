"""The database engines' own ways of copying a database consistently.

SQLite: the online backup API (``sqlite3.Connection.backup``), which copies every page under
one read lock, so a writer in another process waits (or, in WAL mode, goes on) and the copy is
a transaction-consistent database, never the torn file a plain copy can give. PostgreSQL:
``pg_dump`` in custom format, inside a snapshot exported from the connection that read the audit
head, so the dump and the head describe the same moment; ``pg_restore`` back.

A snapshot being checked is opened as an extra Django database alias (:func:`database_alias`),
so the ORM, with its converters, reads it exactly as it reads the live database.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from csceval.errors import InputError, Problem

BUSY_TIMEOUT_SECONDS = 60.0


def engine_of(settings_dict: Mapping[str, Any]) -> str:
    """``sqlite`` or ``postgresql`` (the engines csceval supports)."""
    return "postgresql" if str(settings_dict["ENGINE"]).endswith("postgresql") else "sqlite"


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy the SQLite database ``source`` to the new file ``target`` (0600) through the
    online backup API, then check the copy (``PRAGMA integrity_check``)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    reader = sqlite3.connect(
        f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS
    )
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
        check = writer.execute("PRAGMA integrity_check").fetchone()
    finally:
        writer.close()
        reader.close()
    if check is None or check[0] != "ok":
        raise InputError(
            [
                Problem(
                    "CSC-E6065",
                    "the copy of the database is damaged ("
                    + " ".join(str(check[0] if check else "no answer").splitlines()[:3])
                    + ")",
                    file=str(source),
                    fix="check the database itself: sqlite3 FILE 'PRAGMA integrity_check'",
                )
            ]
        )


def write_sqlite_into(source: Path, target: Path) -> None:
    """Replace the contents of the SQLite database ``target`` with ``source`` (backup API:
    under the target's write lock, its journal handled by SQLite; created 0600 if absent)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    writer = sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def _pg_env(settings_dict: Mapping[str, Any], name: str | None = None) -> dict[str, str]:
    """The environment for pg_dump/pg_restore (the password never on the command line)."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    env["PGDATABASE"] = name or str(settings_dict["NAME"])
    return env


def _pg_tool(tool: str, args: list[str], env: Mapping[str, str]) -> None:
    program = shutil.which(tool)
    if program is None:
        raise InputError(
            [
                Problem(
                    "CSC-E6065",
                    f"{tool} is not installed or not on PATH",
                    fix="install the PostgreSQL client tools of the server's version",
                )
            ]
        )
    done = subprocess.run(
        [program, *args], env=dict(env), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise InputError(
            [Problem("CSC-E6065", f"{tool} failed: {detail[-1] if detail else done.returncode}")]
        )


def pg_dump(settings_dict: Mapping[str, Any], target: Path, snapshot: str) -> None:
    """Dump the database to ``target`` (custom format, 0600) as of the exported ``snapshot``."""
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    _pg_tool(
        "pg_dump",
        [
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            f"--snapshot={snapshot}",
            f"--file={target}",
        ],
        _pg_env(settings_dict),
    )


def pg_restore(settings_dict: Mapping[str, Any], dump: Path, name: str, *, clean: bool) -> None:
    """Load ``dump`` into the database ``name`` in one transaction (``clean``: drop first)."""
    args = [
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={name}",
    ]
    if clean:
        args[:0] = ["--clean", "--if-exists"]
    _pg_tool("pg_restore", [*args, str(dump)], _pg_env(settings_dict, name))


@contextmanager
def scratch_postgres_database(using: str = DEFAULT_DB_ALIAS) -> Iterator[str]:
    """A new empty PostgreSQL database beside the live one, dropped afterwards."""
    connection = connections[using]
    name = f"{connection.settings_dict['NAME']}_restore_{secrets.token_hex(4)}"[:63]
    quoted = connection.ops.quote_name(name)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quoted}")
    except DatabaseError as exc:
        raise InputError(
            [
                Problem(
                    "CSC-E6065",
                    f"cannot create a scratch database to check the backup in ({exc})",
                    fix="give the database user CREATEDB, or restore as a user who has it",
                )
            ]
        ) from exc
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")


@contextmanager
def database_alias(overrides: Mapping[str, Any], using: str = DEFAULT_DB_ALIAS) -> Iterator[str]:
    """A temporary Django alias: the database ``using`` with ``overrides`` (e.g. another NAME)."""
    alias = f"csceval_snapshot_{secrets.token_hex(4)}"
    base = {k: v for k, v in connections[using].settings_dict.items() if k != "TEST"}
    configured = connections.configure_settings({DEFAULT_DB_ALIAS: {**base, **overrides}})
    connections.settings[alias] = configured[DEFAULT_DB_ALIAS]
    try:
        yield alias
    finally:
        if hasattr(connections._connections, alias):  # Django has no public API
            connections[alias].close()
            del connections[alias]
        del connections.settings[alias]
