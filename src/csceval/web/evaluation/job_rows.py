"""What a worker writes to its job's row (an analysis run, an export): progress and outcome.

Both kinds of job write their rows through these functions, so a failure reads the same on
every job page. An unexpected exception (a bug, a full disk, a lost database) is not shown to
the person who asked for the job: its message can hold server paths, SQL or data values, and
errors show a generic page (docs/security.md, SEC-D5). The row says the job failed, with a short
reference; the application log has the traceback under the same reference, for the server's
administrators. Expected refusals (bad input, a lost permission) keep their own messages.
"""

from __future__ import annotations

import logging
import secrets

from django.utils import timezone

from csceval.web.evaluation.models import JobState

logger = logging.getLogger("csceval.jobs")

UNEXPECTED = (
    "An unexpected error stopped this job (reference {reference}). Try again; if it happens "
    "again, give the reference to the server's administrators: their log has the details."
)


def update(row: type[JobState], pk: int, **fields: object) -> None:
    """Write ``fields`` to job ``pk`` of ``row``'s table (one UPDATE, read by any web process)."""
    row.objects.filter(pk=pk).update(**fields)


def fail(row: type[JobState], pk: int, step: str, error: str) -> None:
    """Mark job ``pk`` failed at ``step``, with the message its page shows."""
    update(row, pk, status=JobState.Status.FAILED, step=step, error=error,
           finished_at=timezone.now())  # fmt: skip


def fail_unexpectedly(row: type[JobState], pk: int, exc: BaseException) -> None:
    """Log ``exc`` with its traceback under a new reference and fail the job with a message
    that names only the reference."""
    reference = secrets.token_hex(4)
    logger.error(
        "%s %s failed (reference %s)", row.__name__, pk, reference,
        exc_info=(type(exc), exc, exc.__traceback__),
    )  # fmt: skip
    fail(row, pk, "failed", UNEXPECTED.format(reference=reference))
