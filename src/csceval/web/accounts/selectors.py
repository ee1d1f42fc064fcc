"""Reads about accounts. A user sees only what an unexpired membership gives them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from csceval.web.accounts.models import Membership


def memberships_for(user: Any, *, now: datetime | None = None) -> QuerySet[Membership]:
    """The user's unexpired memberships; none for anonymous or inactive users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user=user, expires_at__gt=now or timezone.now())
