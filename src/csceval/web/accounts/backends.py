"""The authentication backend: Django's, refusing accounts whose one-time password expired."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from csceval.web.security import clock


class AccountBackend(ModelBackend):
    """ModelBackend that also refuses a one-time password past its expiry (SEC-B5).

    Used for sign-in and for every later request (``get_user``), so an expired one-time password
    neither signs in nor keeps a session alive.
    """

    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        from csceval.web.accounts.models import AccountState

        state = AccountState.objects.filter(user=user).first()
        return state is None or not state.one_time_password_expired(clock.now())
