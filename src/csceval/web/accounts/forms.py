"""Forms with error texts written the GOV.UK way (one message per field, saying what to do)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm


class GovukAuthenticationForm(AuthenticationForm):
    """Django's login form with error texts written the GOV.UK way."""

    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account is inactive",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )


class ReauthMixin:
    """A ``current_password`` field checked through ``authenticate`` (so it is throttled)."""

    request: Any
    user: Any

    def clean_current_password(self) -> str:
        password: str = self.cleaned_data["current_password"]  # type: ignore[attr-defined]
        checked = authenticate(
            request=self.request, username=self.user.get_username(), password=password
        )
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError("Your current password is incorrect")
        return password


def _current_password_field(required: bool = True) -> forms.CharField:
    return forms.CharField(
        required=required,
        strip=False,
        error_messages={"required": "Enter your current password"},
    )


class NewPasswordForm(forms.Form):
    """A new password twice, checked against the password rules (``passwords.py``)."""

    new_password = forms.CharField(
        strip=False,
        error_messages={"required": "Enter a new password"},
    )
    confirm_password = forms.CharField(
        strip=False,
        error_messages={"required": "Confirm your new password"},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_password(self) -> str:
        password: str = self.cleaned_data["new_password"]
        password_validation.validate_password(password, self.user)
        return password

    def clean_confirm_password(self) -> str:
        confirm: str = self.cleaned_data["confirm_password"]
        new = self.cleaned_data.get("new_password")
        if new is not None and confirm != new:
            raise forms.ValidationError("Enter the same password as you did in new password")
        return confirm


class PasswordChangeForm(ReauthMixin, NewPasswordForm):
    """Current password (re-authentication, SEC-C4), then the new one twice."""

    current_password = _current_password_field()
    field_order = ["current_password", "new_password", "confirm_password"]

    def __init__(self, *args: Any, request: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.request = request

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("current_password") and cleaned.get("current_password") == cleaned.get(
            "new_password"
        ):
            self.add_error(
                "new_password", "Enter a password that is different from your current one"
            )
        return cleaned


class TokenForm(forms.Form):
    """The 6-digit code from an authenticator app."""

    token = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app",
            "invalid": "Enter the code as 6 digits, like 123456",
        },
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip()


class MfaSetupForm(ReauthMixin, TokenForm):
    """The first code from a new device; the current password too when replacing a device."""

    current_password = _current_password_field(required=False)
    field_order = ["current_password", "token"]

    def __init__(self, *args: Any, request: Any, user: Any, replacing: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.replacing = replacing
        self.fields["current_password"].required = replacing

    def clean_current_password(self) -> str:
        if not self.replacing:
            return ""
        return super().clean_current_password()
