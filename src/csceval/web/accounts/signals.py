"""Login, logout, failed logins and lockouts go into the audit trail; sign-in starts the clock."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from csceval.web.audit_trail.services import audit_record
from csceval.web.security.middleware import mark_session_start


def _ip(request: Any) -> str:
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


@receiver(user_logged_in, dispatch_uid="csceval_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        mark_session_start(request.session)
    with transaction.atomic():
        audit_record(
            actor=user.get_username(),
            action="auth.login",
            object_type="user",
            object_id=str(user.pk),
            new_values={"ip": _ip(request)},
        )


@receiver(user_login_failed, dispatch_uid="csceval_audit_login_failed")
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    # Django has already masked the password in ``credentials``; record only the username.
    with transaction.atomic():
        audit_record(
            actor="anonymous",
            action="auth.login_failed",
            object_type="user",
            new_values={"username": str(credentials.get("username", ""))[:150], "ip": _ip(request)},
        )


@receiver(user_logged_out, dispatch_uid="csceval_audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with transaction.atomic():
        audit_record(
            actor=user.get_username(),
            action="auth.logout",
            object_type="user",
            object_id=str(user.pk),
            new_values={"ip": _ip(request)},
        )


@receiver(user_locked_out, dispatch_uid="csceval_audit_locked_out")
def audit_locked_out(
    sender: Any, request: Any = None, username: Any = None, ip_address: Any = None, **kwargs: Any
) -> None:
    """django-axes refused a sign-in: too many failures for this username from this address."""
    with transaction.atomic():
        audit_record(
            actor="anonymous",
            action="auth.locked_out",
            object_type="user",
            new_values={"username": str(username or "")[:150], "ip": str(ip_address or "")},
        )
