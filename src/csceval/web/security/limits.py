"""Requests bounded before their body is read, and 403s logged on one line.

Methodological choices (SEC-E5):

- :class:`RequestSizeLimitMiddleware` refuses a request whose declared ``Content-Length`` is above
  ``CSCEVAL_MAX_REQUEST_BYTES`` (6 MiB: the 5 MiB upload limit plus the form around it) with 413,
  before Django reads or spools the body, and audits the refusal (who, where, how large; never
  the body). Django reads no more than the declared length (nothing without one), and uploads
  stay in memory up to the cap (``FILE_UPLOAD_MAX_MEMORY_SIZE``), so nothing is written to
  disk. The reverse proxy of the documented deployment has the same limit
  (``client_max_body_size``), so an oversized body is refused even before it reaches Django.
- :class:`OneLineForbidden` drops the traceback Django attaches to its "Forbidden" log line: a
  refused request is expected behaviour, not an error, and one line per refusal keeps the log
  readable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse

TOO_LARGE = "CSC-E6010"


def declared_length(request: HttpRequest) -> int:
    """The request's declared body length (0 when absent or not a number)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class RequestSizeLimitMiddleware:
    """413 for a request declaring a body above ``CSCEVAL_MAX_REQUEST_BYTES`` (audited)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit: int = settings.CSCEVAL_MAX_REQUEST_BYTES
        length = declared_length(request)
        if length <= limit:
            return self.get_response(request)
        from csceval.web.audit_trail.services import audit_record

        user = getattr(request, "user", None)
        actor = user.get_username() if user is not None and user.is_authenticated else ""
        with transaction.atomic():
            audit_record(
                actor=actor or "anonymous",
                action="request.rejected",
                object_type="request",
                object_id=request.path[:64],
                new_values={"code": TOO_LARGE, "bytes": length, "limit": limit},
            )
        megabytes = limit // (1024 * 1024)
        return HttpResponse(
            f"{TOO_LARGE}: the request is too large (the limit is {megabytes} MB). "
            "Go back and choose a smaller file.",
            status=413,
            content_type="text/plain; charset=utf-8",
        )


class OneLineForbidden(logging.Filter):
    """Log a 403 as its one line, without the exception's traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
