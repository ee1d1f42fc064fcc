"""The web platform's housekeeping: ``purge-drafts`` clears respondents' unfinished survey
drafts and the files of old web exports (meant for cron, like ``audit anchor``; see
docs/security.md)."""

from __future__ import annotations

import click

from csceval.cli.web import require_migrated, setup_django
from csceval.terminal import out as console

EXPORT_DAYS = 7
"""Days a web export's file is kept by default: a week to download it, then it goes."""


@click.command("purge-drafts")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=30,
    show_default=True,
    help="Also delete drafts last saved more than this many days ago.",
)
@click.option(
    "--export-days",
    type=click.IntRange(1, 3650),
    default=EXPORT_DAYS,
    show_default=True,
    help="Delete the files of web exports made more than this many days ago.",
)
def purge_drafts(days: int, export_days: int) -> None:
    """Delete stale survey drafts and old web export files.

    Drafts that can no longer be sent (their link closed or was revoked) or were last saved
    more than DAYS days ago; the files of web exports made more than EXPORT_DAYS days ago
    (their records stay). The audit trail records how many."""
    setup_django()
    require_migrated()
    from csceval.web.culture_survey.services import drafts_purge
    from csceval.web.exports.jobs import purge_files

    deleted = drafts_purge(actor="cli", days=days)
    console.print(f"Deleted {deleted} survey draft(s).", markup=False)
    files = purge_files(actor="cli", days=export_days)
    console.print(f"Deleted {files} export file(s).", markup=False)


COMMANDS = (purge_drafts,)
