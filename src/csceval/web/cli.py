"""``csceval web ...``: serve, migrate, createadmin, audit-verify.

Django is imported inside the commands, so mounting ``web_group`` costs nothing at start-up.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

SETTINGS_MODULE = "csceval.web.settings"


def setup_django() -> None:
    """Point Django at csceval's settings and load the apps."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()


def backup_sqlite(path: Path, *, now: datetime | None = None) -> Path | None:
    """Copy the SQLite file to ``NAME.YYYYmmddTHHMMSSZ.bak`` before migrating; None if absent."""
    if not path.is_file():
        return None
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{stamp}.bak")
    shutil.copy2(path, target)
    return target


def _migrate(*, backup: bool) -> None:
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and db["NAME"] != ":memory:":
        path = Path(db["NAME"])
        path.parent.mkdir(parents=True, exist_ok=True)
        if backup and (copy := backup_sqlite(path)) is not None:
            click.echo(f"Backed up the database to {copy}")
    call_command("migrate", interactive=False, verbosity=1)


def require_migrated() -> None:
    """Exit 2 with a coded message unless the database is reachable and fully migrated."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        click.echo(f"CSC-E6006 cannot reach the database ({exc}); check DATABASE_URL.", err=True)
        sys.exit(2)
    if pending:
        click.echo(
            f"CSC-E6005 the database is not migrated ({len(pending)} migrations pending); "
            "run `csceval migrate` first.",
            err=True,
        )
        sys.exit(2)


@click.group(name="web")
def web_group() -> None:
    """The web application (Django): serve it, migrate it, check its audit trail."""


@web_group.command()
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
def serve(port: int) -> None:
    """Local mode: back up the SQLite file, migrate, then serve on 127.0.0.1."""
    setup_django()
    from django.core.management import call_command

    _migrate(backup=True)
    click.echo(f"Serving on http://127.0.0.1:{port}/ (Ctrl+C stops it)")
    # Local single-user mode: the development server, also serving the GOV.UK assets.
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True)


@web_group.command()
def migrate() -> None:
    """Create or update the database tables (backs up a SQLite file first)."""
    setup_django()
    _migrate(backup=True)


@web_group.command()
@click.option("--username", required=True, help="Name of the new administrator.")
def createadmin(username: str) -> None:
    """Create a superuser with a random one-time password, printed once."""
    setup_django()
    require_migrated()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from csceval.web.audit_trail.services import audit_record

    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        click.echo(f"CSC-E6004 a user named {username!r} already exists; choose another name.")
        sys.exit(2)
    password = secrets.token_urlsafe(18)
    with transaction.atomic():
        user = user_model.objects.create_superuser(username=username, password=password)
        audit_record(
            actor="cli",
            action="user.create_admin",
            object_type="user",
            object_id=str(user.pk),
            new_values={"username": username, "is_superuser": True},
        )
    click.echo(f"Created administrator {username!r}. One-time password (shown only now):")
    click.echo(password)


@web_group.command("audit-verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain: exit 0 if intact, 2 with coded problems if not."""
    setup_django()
    require_migrated()
    from csceval.web.audit_trail.models import AuditEvent
    from csceval.web.audit_trail.services import verify_chain

    problems = verify_chain()
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"The audit trail has been tampered with: {len(problems)} problem(s).", err=True)
        sys.exit(2)
    click.echo(f"The audit trail is intact ({AuditEvent.objects.count()} events).")
