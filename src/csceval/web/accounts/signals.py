"""Login, logout and failed logins go into the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from csceval.web.audit_trail.services import audit_record


def _ip(request: Any) -> str:
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


@receiver(user_logged_in, dispatch_uid="csceval_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
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
