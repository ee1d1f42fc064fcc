"""A real platform process on a fresh database, for browser journeys, load benchmarks and trials.

:func:`platform` migrates a new database (a SQLite file in ``data``, or a new PostgreSQL database
beside the one a ``postgresql://`` URL names), imports a project folder, runs a set-up script of
the caller's (users, memberships), starts ``csceval serve`` (gunicorn, and the background
worker it supervises: analysis runs started in a trial are done) on a free port and stops
it and drops the database afterwards. Nothing here imports Django: it all happens in
subprocesses, exactly as an operator would run the commands.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Platform:
    url: str
    env: dict[str, str]
    setup_output: str
    log: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run(args: Sequence[str], env: dict[str, str]) -> str:
    """Run a command; raise RuntimeError with its output if it fails."""
    done = subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _postgres(url: str, name: str, *, create: bool) -> str:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _wait_until_up(url: str, log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urlopen(f"{url}/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the platform did not start:\n{log.read_text()}")


@contextmanager
def platform(
    data: Path,
    *,
    project: Path,
    setup_script: str,
    setup_args: Sequence[str] = (),
    database_url: str = "",
    workers: int = 2,
    threads: int = 4,
) -> Iterator[Platform]:
    """Serve a fresh platform holding ``project``; ``database_url`` postgresql://... or ''."""
    env = {
        **os.environ,
        "CSCEVAL_WEB_DATA": str(data),
        "CSCEVAL_SECRET_KEY": secrets.token_urlsafe(32),
        "DJANGO_SETTINGS_MODULE": "csceval.web.settings",
    }
    env.pop("CSCEVAL_ENV", None)
    pg_name = f"csceval_trial_{secrets.token_hex(4)}"
    postgres = database_url.startswith("postgres")
    env["DATABASE_URL"] = (
        _postgres(database_url, pg_name, create=True)
        if postgres
        else f"sqlite:///{data / 'web.sqlite3'}"
    )
    csceval = str(BIN / "csceval")
    process = None
    log = data / "server.log"
    try:
        run([csceval, "migrate"], env)
        run([csceval, "import-project", str(project)], env)
        output = run([sys.executable, "-c", setup_script, *setup_args], env)
        port = free_port()
        with log.open("w") as handle:
            process = subprocess.Popen(
                [
                    *(csceval, "serve", "--port", str(port)),
                    *("--workers", str(workers), "--threads", str(threads)),
                ],
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, log)
        yield Platform(url, env, output, log)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        if postgres:
            _postgres(database_url, pg_name, create=False)
