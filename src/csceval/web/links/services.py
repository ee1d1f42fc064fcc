"""Creating, revoking, resolving and using anonymous links.

Methodological choices (docs/security.md, "Anonymous links"):

- A token is ``secrets.token_urlsafe(32)``: 256 random bits, 43 URL-safe characters. Only its
  SHA-256 is stored. A token is looked up by its hash through the unique index, so the
  comparison never runs over the secret itself (nothing to time), and a database read cannot
  rebuild a link. The token is returned once, at creation, to be handed out.
- A link opens at ``opens_at`` and closes at ``closes_at`` (None: when revoked); revoking is
  final. In one-response mode the first recorded use closes it (``link_record_use`` is an
  atomic conditional update, so two simultaneous submissions cannot both count).
- Creating and revoking are audited in the same transaction; uses are counted on the link but
  not audited one by one (an audit row's time would tie a response to a moment).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import F

from csceval.web.audit_trail.services import audit_record
from csceval.web.links.models import AnonymousLink
from csceval.web.security import clock

TOKEN_BYTES = 32
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
PURPOSE_SHAPE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class LinkState(StrEnum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    REVOKED = "revoked"
    USED = "used"


class LinkRefusedError(Exception):
    """A link that cannot be used now; ``code`` and ``status`` say why and how to answer."""

    code = "CSC-E6301"
    status = 404
    state: LinkState | None = None

    def __init__(self, link: AnonymousLink | None = None) -> None:
        super().__init__(self.code)
        self.link = link


class LinkNotFoundError(LinkRefusedError):
    """No link has this token (or it belongs to another purpose): CSC-E6301, 404."""


class LinkNotYetOpenError(LinkRefusedError):
    """The link opens later: CSC-E6302, 404 (the page says when)."""

    code, status, state = "CSC-E6302", 404, LinkState.NOT_YET_OPEN


class LinkClosedError(LinkRefusedError):
    """The link's closing time has passed, or it was revoked: CSC-E6303, 410."""

    code, status, state = "CSC-E6303", 410, LinkState.CLOSED


class LinkUsedError(LinkRefusedError):
    """A one-response link that already has its response: CSC-E6304, 410."""

    code, status, state = "CSC-E6304", 410, LinkState.USED


class LinkInvalidError(ValueError):
    """A link cannot be created as asked (CSC-E6306); the message says why."""

    code = "CSC-E6306"


def token_hash(token: str) -> str:
    """The stored form of a token (hex SHA-256 of its UTF-8 bytes)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_state(link: AnonymousLink, at: datetime | None = None) -> LinkState:
    """Whether ``link`` is open at ``at`` (default: now), and if not, why."""
    now = at or clock.now()
    if link.revoked_at is not None:
        return LinkState.REVOKED
    if now < link.opens_at:
        return LinkState.NOT_YET_OPEN
    if link.closes_at is not None and now >= link.closes_at:
        return LinkState.CLOSED
    if link.one_response and link.uses >= 1:
        return LinkState.USED
    return LinkState.OPEN


def _audit_values(link: AnonymousLink) -> dict[str, Any]:
    """What the audit trail records of a link: never the token or its hash."""
    return {
        "purpose": link.purpose,
        "la_code": link.la_code,
        "object_key": link.object_key,
        "label": link.label,
        "opens_at": link.opens_at.isoformat(),
        "closes_at": link.closes_at.isoformat() if link.closes_at else None,
        "one_response": link.one_response,
    }


def _actor(user: Any) -> str:
    return str(user.get_username()) if user is not None else "system"


@transaction.atomic
def link_create(
    *,
    actor: Any,
    purpose: str,
    la_code: str | None,
    object_key: str = "",
    label: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    one_response: bool = False,
) -> tuple[AnonymousLink, str]:
    """Create a link; return it and its token (shown once: only the hash is kept).

    ``actor`` is the signed-in user creating it (None for a command). Raises
    :class:`LinkInvalidError` (CSC-E6306) for an unusable purpose, LA code or dates.
    """
    now = clock.now()
    opens = opens_at or now
    if not PURPOSE_SHAPE.match(purpose):
        raise LinkInvalidError(f"CSC-E6306 the purpose {purpose!r} is not a short lower-case name.")
    if la_code is not None and not re.fullmatch(r"\d{3}", la_code):
        raise LinkInvalidError(f"CSC-E6306 {la_code!r} is not a 3-digit LA code.")
    if closes_at is not None and closes_at <= opens:
        raise LinkInvalidError("CSC-E6306 the link must close after it opens.")
    if len(object_key) > 128 or len(label) > 120:
        raise LinkInvalidError("CSC-E6306 the object key or label is too long.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = AnonymousLink.objects.create(
        token_sha256=token_hash(token),
        purpose=purpose,
        la_code=la_code,
        object_key=object_key,
        label=label,
        opens_at=opens,
        closes_at=closes_at,
        one_response=one_response,
        created_by=actor if getattr(actor, "pk", None) is not None else None,
        created_at=now,
    )
    audit_record(
        actor=_actor(actor),
        action="link.created",
        object_type="anonymous_link",
        object_id=str(link.pk),
        new_values=_audit_values(link),
    )
    return link, token


@transaction.atomic
def link_revoke(*, actor: Any, link: AnonymousLink) -> AnonymousLink:
    """Close ``link`` for good now (idempotent: a revoked link is left as it is)."""
    locked = AnonymousLink.objects.select_for_update().get(pk=link.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = clock.now()
    locked.revoked_by = actor if getattr(actor, "pk", None) is not None else None
    locked.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=_actor(actor),
        action="link.revoked",
        object_type="anonymous_link",
        object_id=str(locked.pk),
        old_values={"uses": locked.uses},
        new_values=_audit_values(locked),
    )
    return locked


def link_lookup(token: str) -> AnonymousLink | None:
    """The link with this token, or None (a malformed token is never looked up)."""
    if not TOKEN_SHAPE.match(token):
        return None
    return AnonymousLink.objects.filter(token_sha256=token_hash(token)).first()


_REFUSAL: dict[LinkState, type[LinkRefusedError]] = {
    LinkState.NOT_YET_OPEN: LinkNotYetOpenError,
    LinkState.CLOSED: LinkClosedError,
    LinkState.REVOKED: LinkClosedError,
    LinkState.USED: LinkUsedError,
}


def link_resolve(token: str, purpose: str | None, *, allow_used: bool = False) -> AnonymousLink:
    """The open link of ``purpose`` (None: any) with ``token``; raises :class:`LinkRefusedError`.

    ``allow_used`` lets a one-response link that has its response through (for the page that
    confirms it).
    """
    link = link_lookup(token)
    if link is None or (purpose is not None and link.purpose != purpose):
        raise LinkNotFoundError()
    state = link_state(link)
    if state is LinkState.OPEN or (state is LinkState.USED and allow_used):
        return link
    raise _REFUSAL[state](link)


def link_record_use(link: AnonymousLink) -> AnonymousLink:
    """Count one response through ``link``; call it in the transaction that saves the response.

    Raises :class:`LinkUsedError` when a one-response link already has its response, and
    :class:`LinkClosedError` when the link closed meanwhile (so the response must not be saved).
    """
    now = clock.now()
    rows = AnonymousLink.objects.filter(pk=link.pk, revoked_at__isnull=True, opens_at__lte=now)
    rows = rows.exclude(closes_at__lte=now)
    if link.one_response:
        rows = rows.filter(uses=0)
    if rows.update(uses=F("uses") + 1) == 1:
        link.refresh_from_db(fields=["uses"])
        return link
    fresh = AnonymousLink.objects.get(pk=link.pk)
    state = link_state(fresh, now)
    raise (LinkUsedError if state is LinkState.USED else LinkClosedError)(fresh)


# Short names (the API note used them first).
LinkRefused = LinkRefusedError
LinkNotFound = LinkNotFoundError
LinkNotYetOpen = LinkNotYetOpenError
LinkClosed = LinkClosedError
LinkUsed = LinkUsedError
LinkInvalid = LinkInvalidError
