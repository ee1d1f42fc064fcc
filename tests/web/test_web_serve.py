"""`csceval serve` starts real gunicorn processes: local mode (SQLite), server mode (PostgreSQL);
the background worker it starts does not outlive it.

Each mode runs in one of `make test`'s two passes, not both (each test picks its own database,
whatever ``DATABASE_URL`` the pass sets): local mode in the SQLite pass, server mode in the
PostgreSQL pass (``make unit-postgres``)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from csceval.web.gunicorn_hooks import WORKER

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
POSTGRES_PASS = os.environ.get("DATABASE_URL", "").startswith("postgres")
local_mode = pytest.mark.skipif(POSTGRES_PASS, reason="local mode runs in the SQLite pass")
server_mode = pytest.mark.skipif(
    not POSTGRES_PASS, reason="server mode runs in the PostgreSQL pass (make unit-postgres)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CSCEVAL_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "CSCEVAL_WEB_DATA": str(tmp_path),
            "CSCEVAL_SECRET_KEY": "tests-only-" + secrets.token_urlsafe(40),
        }
    )
    return env


def _csceval(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "csceval.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=90) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class Server:
    """A `csceval serve` process; stopped with SIGTERM like an operator would."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.port = _free_port()
        self.log = Path(env["CSCEVAL_WEB_DATA"]) / f"serve-{self.port}.log"
        self.handle = self.log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "csceval.cli", "serve", "--port", str(self.port), *args],
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited with {self.process.returncode}: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"serve did not start: {self.output()}")

    def output(self) -> str:
        if not self.handle.closed:
            self.handle.flush()
        return self.log.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.handle.close()


def _children(pid: int) -> dict[int, list[str]]:
    """The processes whose parent is ``pid``, with their command lines (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found[int(entry.name)] = [a.decode(errors="replace") for a in argv]
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may never reap an orphan)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _poll(condition: Callable[[], bool], seconds: float = 30) -> bool:
    """Whether ``condition`` held within a generous bound (no timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _kill_and_check_the_worker_stops(server: Server) -> None:
    """SIGKILL the server (gunicorn's master: no hook runs) and see its worker go by itself."""

    def worker() -> list[int]:
        children = _children(server.process.pid)
        return [pid for pid, argv in children.items() if WORKER in argv]

    assert _poll(lambda: bool(worker())), server.output()
    (pid,) = worker()
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    assert _poll(lambda: not _running(pid)), f"worker {pid} outlived its server"


@local_mode
def test_local_mode_backs_up_migrates_and_serves(tmp_path: Path) -> None:
    """... and a SIGKILLed server's background worker stops on its own (issue 16; checked
    where /proc lists processes)."""
    database = tmp_path / "web.sqlite3"
    database.write_bytes(b"")  # an existing (empty) file: it is backed up first
    server = Server(_env(tmp_path, f"sqlite:///{database}"))
    try:
        server.wait_ready()
        status, html = _get(server.url + "/login/")
        assert status == 200
        assert "Sign in" in html
        css, _ = _get(server.url + "/assets/govuk/govuk-frontend.min.css")
        assert css == 200
        status, _ = _get(server.url + "/")
        assert status == 200  # urllib follows the redirect to /login/

        if Path("/proc/self/stat").exists():
            _kill_and_check_the_worker_stops(server)
    finally:
        server.stop()
    log = server.output()
    assert "Backed up the database" in log
    assert "gunicorn" in log.lower()
    assert list(tmp_path.glob("backups/pre-migrate-*/manifest.json"))
    assert database.stat().st_size > 0  # migrated


@local_mode
def test_local_mode_listens_on_loopback_only(tmp_path: Path) -> None:
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'web.sqlite3'}")
    done = _csceval("serve", "--bind", "0.0.0.0:8000", env=env)
    assert done.returncode == 2
    assert "CSC-E6009" in done.stderr
    assert not (tmp_path / "web.sqlite3").exists()


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A throwaway PostgreSQL database, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    name = f"csceval_unmigrated_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES}: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@server_mode
def test_server_mode_refuses_an_unmigrated_database(tmp_path: Path, postgres_database) -> None:
    done = _csceval("serve", "--port", str(_free_port()), env=_env(tmp_path, postgres_database))
    assert done.returncode == 2
    assert "CSC-E6005" in done.stderr
    assert "Traceback" not in done.stderr


@server_mode
def test_server_mode_serves_after_migrate(tmp_path: Path, postgres_database) -> None:
    env = _env(tmp_path, postgres_database)
    migrated = _csceval("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    server = Server(env, "--workers", "2")
    try:
        server.wait_ready()
        status, html = _get(server.url + "/login/")
        assert status == 200
        assert "govuk-template" in html
    finally:
        server.stop()
    assert "server mode" in server.output()
