"""The web platform's housekeeping: ``purge-drafts`` clears respondents' unfinished survey
drafts (meant for cron, like ``audit anchor``; see docs/security.md)."""

from __future__ import annotations

import click

from csceval.cli.web import require_migrated, setup_django
from csceval.terminal import out as console


@click.command("purge-drafts")
@click.option(
    "--days",
    type=click.IntRange(1, 3650),
    default=30,
    show_default=True,
    help="Also delete drafts last saved more than this many days ago.",
)
def purge_drafts(days: int) -> None:
    """Delete survey drafts that can no longer be sent (their link closed or was revoked) or
    were last saved more than DAYS days ago. The audit trail records how many."""
    setup_django()
    require_migrated()
    from csceval.web.culture_survey.services import drafts_purge

    deleted = drafts_purge(actor="cli", days=days)
    console.print(f"Deleted {deleted} survey draft(s).", markup=False)


COMMANDS = (purge_drafts,)
