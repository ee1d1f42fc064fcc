"""The authentication backend: Django's, refusing accounts whose one-time password expired."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from csceval.web.security import clock


class AccountBackend(ModelBackend):
    """ModelBackend that also refuses a one-time password past its expiry (SEC-B5).

    Used for sign-in and for every later request (``get_user``), so an expired one-time password
    neither signs in nor keeps a session alive.
    """

    def get_user(self, user_id: Any) -> Any:
        """The signed-in user of a request, read with its account state in one query."""
        model = get_user_model()
        try:
            user = model._default_manager.select_related("account_state").get(pk=user_id)
        except model.DoesNotExist:
            return None
        return user if self._allowed(user, getattr(user, "account_state", None)) else None

    def user_can_authenticate(self, user: Any) -> bool:
        from csceval.web.accounts.models import AccountState

        return self._allowed(user, AccountState.objects.filter(user=user).first())

    def _allowed(self, user: Any, state: Any) -> bool:
        user._csceval_account_state = state  # read once per request: the account gate reuses it
        if not super().user_can_authenticate(user):
            return False
        return state is None or not state.one_time_password_expired(clock.now())
