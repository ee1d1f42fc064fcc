"""The web platform's audit trail and backups: ``audit verify|head|anchor``, ``backup``,
``restore``.

Like every web command they import Django inside (CSC-E5003 without it). ``audit anchor`` is
meant for cron (docs/security.md): it appends the chain's head to the anchors file, outside the
database, and ``audit verify`` checks against the newest anchor unless told otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from csceval.cli.web import require_migrated, setup_django
from csceval.errors import InputError, Problem
from csceval.terminal import fail
from csceval.terminal import out as console


def _anchor_problem(exc: OSError) -> Problem:
    return Problem(
        "CSC-E6066",
        f"cannot read or write the audit anchors file ({exc.strerror or exc})",
        file=str(exc.filename or ""),
        fix="check CSCEVAL_AUDIT_ANCHORS (or the data folder) and its permissions",
    )


@click.group()
def audit() -> None:
    """The web platform's hash-chained audit trail: check it, print its head, anchor it."""


@audit.command("verify")
@click.option(
    "--anchor",
    metavar="SEQUENCE:HASH",
    help="A head printed earlier by `csceval audit head` [default: the newest line of the "
    "anchors file].",
)
@click.option("--no-anchor", is_flag=True, help="Check the chain alone, against no anchor.")
def audit_verify(anchor: str | None, no_anchor: bool) -> None:
    """Check the audit trail's hash chain: exit 0 if intact, 2 with coded problems if not.

    Against an anchor (a head kept outside the database) it also catches deleted newest
    events and a replaced chain.
    """
    setup_django()
    require_migrated()
    from csceval.web.audit_trail.anchors import anchors_path, latest_anchor
    from csceval.web.audit_trail.models import AuditEvent
    from csceval.web.audit_trail.services import ChainHead, verify_chain

    head: ChainHead | None = None
    against = ""
    if anchor:
        try:
            head = ChainHead.parse(anchor)
        except ValueError as exc:
            click.echo(f"CSC-E6050 --anchor {anchor!r}: {exc}", err=True)
            sys.exit(2)
        against = f" up to the given anchor #{head.sequence}"
    elif not no_anchor:
        try:
            newest = latest_anchor()
        except OSError as exc:
            fail(_anchor_problem(exc))
        if newest is not None:
            head = newest.head
            against = f" up to the anchor of {newest.at} ({newest.source}, #{head.sequence})"
        else:
            click.echo(
                f"Note: no anchor in {anchors_path()}; the chain alone is checked.", err=True
            )
    problems = verify_chain(head)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"The audit trail has been tampered with: {len(problems)} problem(s).", err=True)
        sys.exit(2)
    click.echo(f"The audit trail is intact ({AuditEvent.objects.count()} events){against}.")


@audit.command("head")
def audit_head() -> None:
    """Print the chain's head (SEQUENCE:HASH) to publish elsewhere and check later."""
    setup_django()
    require_migrated()
    from csceval.web.audit_trail.services import chain_head

    click.echo(str(chain_head()))


@audit.command("anchor")
def audit_anchor() -> None:
    """Append the chain's head to the anchors file (outside the database) and print the line.

    Run it from cron (e.g. hourly) and keep its output, too: `audit verify` checks against the
    newest anchor.
    """
    setup_django()
    require_migrated()
    from csceval.web.audit_trail.anchors import write_anchor
    from csceval.web.audit_trail.services import chain_head

    try:
        anchor = write_anchor(chain_head(), "cron")
    except OSError as exc:
        fail(_anchor_problem(exc))
    click.echo(str(anchor))


@click.command()
@click.argument("folder", metavar="OUT", type=click.Path(path_type=Path))
@click.option(
    "--keep",
    type=click.IntRange(1, 10_000),
    default=None,
    help="Then keep only the newest N backups in OUT's parent folder [default: keep all].",
)
def backup(folder: Path, keep: int | None) -> None:
    """Back up the database and the run files to the new folder OUT, with a manifest.

    SQLite through its online backup API (consistent while the server writes), PostgreSQL
    through pg_dump. The audit chain's head is recorded and anchored. Files are 0600.
    """
    setup_django()
    require_migrated()
    from csceval.web.backup import create_backup, rotate

    try:
        summary = create_backup(folder)
    except InputError as exc:
        fail(*exc.problems)
    except OSError as exc:  # the anchors file
        fail(_anchor_problem(exc))
    for line in summary.lines():
        console.print(line, markup=False)
    if keep is not None:
        for removed in rotate(folder.parent, keep):
            console.print(f"Removed the older backup {removed}.", markup=False)


@click.command()
@click.argument("folder", metavar="BACKUP", type=click.Path(path_type=Path))
def restore(folder: Path) -> None:
    """Restore the backup folder BACKUP over the database and the run files.

    Everything is checked first (manifest, keyed signature, the snapshot's audit chain with
    this platform's key); on any problem nothing is replaced. Stop the server first. On a
    new machine, set DATABASE_URL (an empty PostgreSQL database, or a SQLite file that need
    not exist) and the same CSCEVAL_SECRET_KEY or CSCEVAL_AUDIT_KEY first.
    """
    setup_django()
    from csceval.web.backup import restore_backup

    try:
        summary = restore_backup(folder)
    except InputError as exc:
        fail(*exc.problems)
    except OSError as exc:
        fail(_anchor_problem(exc))
    for line in summary.lines():
        console.print(line, markup=False)


COMMANDS = (audit, backup, restore)
