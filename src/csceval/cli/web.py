"""The web platform's commands: serve, migrate, createadmin, createuser, and the project folder
round trip (import-project, export-project). The audit trail's commands and backup/restore are
in :mod:`csceval.cli.web_audit`.

Django is imported inside the commands, never at module level: ``csceval --help``, ``csceval demo``
and every analysis command work on ``pip install csceval``, which does not install Django. A web
command run without it exits 2 with CSC-E5003, saying to ``pip install "csceval[web]"``.

``serve`` has two modes, chosen by ``DATABASE_URL``. Local mode (a SQLite file, the default) backs
the file up, migrates it and listens on a loopback address only (one person's machine). Server
mode (PostgreSQL) refuses to start until ``csceval migrate`` has run, so that a deployment never
migrates behind the operator's back. Both run gunicorn, a production WSGI server.
"""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import click

from csceval.cli.options import out_option
from csceval.errors import InputError, Problem
from csceval.terminal import fail, fail_line
from csceval.terminal import out as console

SETTINGS_MODULE = "csceval.web.settings"
INSTALL_WEB = 'pip install "csceval[web]"'


def web_missing(module: str) -> Problem:
    """CSC-E5003: a web command was run where the web platform's packages are not installed."""
    return Problem(
        "CSC-E5003",
        f"this command needs the web platform, and {module} is not installed.",
        fix=INSTALL_WEB,
    )


def setup_django() -> None:
    """Point Django at csceval's settings and load the apps.

    Exits 2 with one coded line when Django (or another web dependency) is not installed, or on a
    settings problem.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    try:
        import django
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:
        fail_line(web_missing("Django"))
    try:
        django.setup()
    except ImproperlyConfigured as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except ModuleNotFoundError as exc:  # an app or middleware of the web platform is missing
        if exc.name is None or exc.name.split(".")[0] == "csceval":
            raise
        fail_line(web_missing(exc.name.split(".")[0]))


def _migrate(*, backup: bool) -> None:
    """Migrate the database; a SQLite file is first backed up with the online backup API
    (``CSCEVAL_WEB_DATA/backups/pre-migrate-*``, the newest ``CSCEVAL_BACKUP_KEEP`` kept) and
    made private (0600, its folder 0700)."""
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and db["NAME"] != ":memory:":
        path = Path(db["NAME"])
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.is_file():
            path.chmod(0o600)
        if backup:
            from csceval.web.backup import backup_before_migrating

            try:
                summary = backup_before_migrating(path)
            except InputError as exc:
                fail(*exc.problems)
            if summary is not None:
                click.echo(f"Backed up the database to {summary.folder}")
    call_command("migrate", interactive=False, verbosity=1)
    if db["ENGINE"].endswith("sqlite3") and Path(db["NAME"]).is_file():
        Path(db["NAME"]).chmod(0o600)


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


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
ONE_TIME_PASSWORD_HOURS = 24


def _is_sqlite() -> bool:
    from django.conf import settings

    return bool(settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"))


def gunicorn_argv(bind: str, workers: int, threads: int = 4) -> list[str]:
    """The command line that runs csceval.web under gunicorn.

    Threaded workers (``gthread``): while one request waits for the database, another runs,
    and a slow client or upload holds a thread, not a whole process. A few processes (the
    cores) with a few threads each keep 2 cores busy at a fraction of the memory of many sync
    workers; connections are kept between requests (``CONN_MAX_AGE`` in settings).
    """
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "csceval.web.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        # Idle keep-alive connections are closed after 5 s, not gunicorn's 2 s: with the
        # default, a person clicking a second after the last page could send the request just
        # as the server closed the connection (seen under load: "server disconnected").
        "--keep-alive",
        "5",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-",
        # Requests to anonymous links are logged without address, browser or token.
        "--logger-class",
        "csceval.web.links.access_log.LinkRedactingLogger",
        # Starts and stops `csceval worker` (the background jobs) with the web server.
        "--config",
        "python:csceval.web.gunicorn_hooks",
        # No control socket: its default path (~/.gunicorn/gunicorn.ctl) is one per user, so
        # two servers on a machine (two test suites) took it from each other; csceval needs none.
        "--no-control-socket",
    ]


@click.command()
@click.option(
    "--bind",
    default=None,
    help="HOST:PORT to listen on [default: 127.0.0.1:PORT]. Local mode allows loopback only.",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=8000,
    show_default=True,
    help="Port, when --bind is not given.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="gunicorn worker processes [default: 1 in local mode, 2 in server mode].",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Threads per worker process (gunicorn's gthread workers).",
)
def serve(bind: str | None, port: int, workers: int | None, threads: int) -> None:
    """Run the web platform under gunicorn.

    Local mode (SQLite): back up the file, migrate, serve on 127.0.0.1. Server mode
    (PostgreSQL from DATABASE_URL): refuse until `csceval migrate` has run, then serve.
    """
    setup_django()
    from django.conf import settings
    from django.db import connections

    bind = bind or f"127.0.0.1:{port}"
    local = _is_sqlite()
    if local:
        host = bind.rsplit(":", 1)[0]
        if host not in LOOPBACK_HOSTS:
            click.echo(
                f"CSC-E6009 local mode (SQLite) listens only on 127.0.0.1, not {host!r}; "
                "use PostgreSQL (DATABASE_URL) for a shared server.",
                err=True,
            )
            sys.exit(2)
        _migrate(backup=True)
    else:
        require_migrated()
        if not getattr(settings, "PRODUCTION", False):
            click.echo(
                "Note: CSCEVAL_ENV is not 'production' (no HTTPS-only cookies or redirect).",
                err=True,
            )
    report_recovered()  # runs a stopped server left "running" (issue 16); the worker does too
    from csceval.web.staticfiles import collect_assets, remove_other_collections

    collect_assets()  # hashed asset names, before the workers start (csceval.web.staticfiles)
    remove_other_collections()
    connections.close_all()
    if find_spec("gunicorn") is None:
        fail_line(web_missing("gunicorn"))
    argv = gunicorn_argv(bind, workers or (1 if local else 2), threads)
    click.echo(f"Serving on http://{bind}/ ({'local' if local else 'server'} mode)")
    sys.stdout.flush()
    # Replace this process, so that signals (Ctrl+C, SIGTERM) reach gunicorn's master directly.
    os.execv(sys.executable, argv)


@click.command()
def migrate() -> None:
    """Create or update the database tables (backs up a SQLite file first)."""
    setup_django()
    _migrate(backup=True)


@click.command()
@click.option("--username", required=True, help="Name of the new administrator.")
@click.option(
    "--valid-hours",
    type=click.IntRange(1, 168),
    default=ONE_TIME_PASSWORD_HOURS,
    show_default=True,
    help="Hours before the one-time password stops working.",
)
def createadmin(username: str, valid_hours: int) -> None:
    """Create a superuser with a random one-time password, printed once.

    The password must be changed at first sign-in and stops working after --valid-hours; the
    administrator then sets up two-factor authentication. There are no default accounts.
    """
    setup_django()
    require_migrated()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from csceval.web.accounts.services import issue_one_time_password
    from csceval.web.audit_trail.services import audit_record
    from csceval.web.security import clock

    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        click.echo(f"CSC-E6004 a user named {username!r} already exists; choose another name.")
        sys.exit(2)
    password = secrets.token_urlsafe(18)
    expires_at = clock.now() + timedelta(hours=valid_hours)
    with transaction.atomic():
        user = user_model.objects.create_superuser(username=username, password=password)
        issue_one_time_password(user=user, expires_at=expires_at)
        audit_record(
            actor="cli",
            action="user.create_admin",
            object_type="user",
            object_id=str(user.pk),
            new_values={
                "username": username,
                "is_superuser": True,
                "one_time_password_expires_at": expires_at.isoformat(),
            },
        )
    click.echo(
        f"Created administrator {username!r}. One-time password, shown only now; it must be "
        f"changed at first sign-in and stops working at {expires_at:%Y-%m-%d %H:%M} UTC:"
    )
    click.echo(password)


@click.command()
@click.option("--username", required=True, help="What the person types to sign in.")
@click.option("--name", "full_name", required=True, help="The person's full name.")
@click.option("--email", default=None, help="Shown to admins only; no e-mail is sent.")
@click.option("--role", default=None, help="A role to give now, e.g. la_coordinator (with --la).")
@click.option("--la", "la_code", default=None, help="The role's LA code (3 digits), or * for all.")
@click.option("--until", default=None, help="The role's last day, YYYY-MM-DD.")
@click.option("--link", is_flag=True, help="A one-time sign-in link, not a one-time password.")
def createuser(link: bool, **values: str | None) -> None:
    """Create a person's account, as People > Add a person does (audited), with a one-time
    password (or sign-in link) printed once; it stops working after 72 hours."""
    setup_django()
    require_migrated()
    from csceval.web.accounts.scripted import RefusedError, create_from_cli

    try:
        lines = create_from_cli(link=link, **{k: v or "" for k, v in values.items()})
    except RefusedError as exc:
        for option, message in exc.problems:
            code = "CSC-E6004" if "already exists" in message else "CSC-E6011"
            click.echo(f"{code} {option}: {message}", err=True)
        sys.exit(2)
    for line in lines:
        click.echo(line)


@click.command("export-project")
@out_option("The project folder to write (new, empty, or an earlier export: replaced whole).")
def export_project(out: Path) -> None:
    """Write the web platform's evaluation out as a project folder (then check it)."""
    setup_django()
    require_migrated()
    from django.db import transaction

    from csceval.pipeline import validate_project
    from csceval.web.audit_trail.services import audit_record
    from csceval.web.evaluation.project_io import project_files, write_project

    try:
        files = project_files()
    except LookupError:
        fail(
            Problem(
                "CSC-E6052",
                "The web platform's evaluation has not been set up yet.",
                fix="Set it up in the web platform or run `csceval import-project` first.",
            )
        )
    try:
        write_project(out, files)
    except (FileExistsError, OSError) as exc:
        fail(
            Problem(
                "CSC-E6051",
                f"Cannot write the project folder: {exc}",
                file=str(out),
                fix="Give a new or empty folder, or an earlier export (it is replaced whole).",
            )
        )
    with transaction.atomic():
        audit_record(
            actor="cli",
            action="project.export",
            object_type="evaluation",
            new_values={"folder": str(out.resolve()), "files": sorted(files)},
        )
    problems = validate_project(out)
    console.print(f"Wrote {len(files)} files to {out}.", markup=False)
    if problems:
        fail(*problems)
    console.print("The exported project is valid: `csceval run` can analyse it.", markup=False)


@click.command("import-project")
@click.argument("project", type=click.Path(path_type=Path))
def import_project(project: Path) -> None:
    """Load the project folder PROJECT into the web platform (replaces its evaluation)."""
    setup_django()
    require_migrated()
    from csceval.web.evaluation.project_io import import_project as do_import

    try:
        summary = do_import(project, actor="cli")
    except InputError as exc:
        fail(*exc.problems)
    for line in summary.lines():
        console.print(line, markup=False)


COMMANDS = (serve, migrate, createadmin, createuser, import_project, export_project)


def report_recovered(me: str = "") -> None:
    """Settle the jobs of dead workers on this host and say what happened to them (runs,
    exports)."""
    from csceval.web.evaluation.jobs import new_worker_id, recover_interrupted

    for label, (resumed, failed) in recover_interrupted(me or new_worker_id()).items():
        if resumed:
            console.print(f"Queued {resumed} interrupted {label} again.", markup=False)
        if failed:
            console.print(f"Marked {failed} interrupted {label} as failed.", markup=False)
