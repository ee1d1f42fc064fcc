"""Settings: DATABASE_URL parsing, production mode (check --deploy), migrations in step."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from csceval.web.settings import database_from_url


def test_sqlite_urls() -> None:
    assert database_from_url("sqlite:////tmp/a b.sqlite3")["NAME"] == "/tmp/a b.sqlite3"
    assert database_from_url("sqlite:///var/x.sqlite3")["NAME"] == "var/x.sqlite3"
    assert database_from_url("sqlite://")["NAME"] == ":memory:"


def test_postgresql_url() -> None:
    db = database_from_url("postgresql://postgres:p%40ss@127.0.0.1:5432/test")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "postgres",
        "p@ss",
        "127.0.0.1",
        "5432",
        "test",
    )


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="DATABASE_URL"):
        database_from_url("mysql://x/y")


# --- Production settings (SEC-G1, G2, C5) ---------------------------------------------------

PRODUCTION_ENV = {
    "CSCEVAL_ENV": "production",
    "CSCEVAL_SECRET_KEY": secrets.token_urlsafe(64),
    "CSCEVAL_ALLOWED_HOSTS": "csceval.example.org",
}


def _django(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` after django.setup() in a fresh interpreter with ``env``."""
    full = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CSCEVAL_", "DJANGO_")) and k != "DATABASE_URL"
    }
    full.update(
        {
            "DJANGO_SETTINGS_MODULE": "csceval.web.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "CSCEVAL_WEB_DATA": str(tmp_path),
            **env,
        }
    )
    script = "import django\ndjango.setup()\n" + code
    return subprocess.run(
        [sys.executable, "-c", script],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    done = _django(
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n",
        tmp_path,
        **PRODUCTION_ENV,
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout + done.stderr


def test_local_settings_would_fail_check_deploy(tmp_path: Path) -> None:
    """The deploy check can fail: local mode has no HTTPS-only cookies."""
    done = _django(
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n",
        tmp_path,
        CSCEVAL_SECRET_KEY=secrets.token_urlsafe(64),
    )
    assert done.returncode != 0
    assert "security.W012" in done.stderr  # SESSION_COOKIE_SECURE


def test_production_cookies_and_transport(tmp_path: Path) -> None:
    done = _django(
        "from django.conf import settings as s\n"
        "print(s.DEBUG, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None))\n",
        tmp_path,
        CSCEVAL_DEBUG="1",
        CSCEVAL_TRUST_X_FORWARDED_PROTO="1",
        **PRODUCTION_ENV,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(" ", 7) == [
        "False",
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO', 'https')\n",
    ]


@pytest.mark.parametrize(
    ("missing", "code"),
    [("CSCEVAL_SECRET_KEY", "CSC-E6007"), ("CSCEVAL_ALLOWED_HOSTS", "CSC-E6008")],
)
def test_production_refuses_to_start_without_secret_or_hosts(
    tmp_path: Path, missing: str, code: str
) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    done = _django("print('started')\n", tmp_path, **env)
    assert done.returncode != 0
    assert code in done.stderr
    assert "started" not in done.stdout
    assert not (tmp_path / "secret_key").exists()  # no key file quietly made in production


def test_csceval_commands_report_a_settings_problem_without_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CSCEVAL_", "DJANGO_"))}
    env.update({"CSCEVAL_ENV": "production", "CSCEVAL_ALLOWED_HOSTS": "x.example.org"})
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    done = subprocess.run(
        [sys.executable, "-m", "csceval.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "CSC-E6007" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.django_db
def test_models_and_migrations_agree() -> None:
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
