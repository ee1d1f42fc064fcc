"""DATABASE_URL parsing: SQLite file by default, PostgreSQL when asked."""

from __future__ import annotations

import pytest

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
