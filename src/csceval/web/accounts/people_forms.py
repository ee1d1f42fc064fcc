"""The form for adding a person: who they are, their first access, their first credential.

The access fields (LA code, role, expiry) and their rules are the People page's
``MembershipForm``; here they are optional as a group (a person can be added before their
access is decided) but all three are needed once one is given.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from csceval.web.accounts.onboarding import CREDENTIAL_KINDS, ONE_TIME_PASSWORD, Access
from csceval.web.evaluation.forms import MembershipForm

USERNAME_RULE = r"^[A-Za-z0-9.@+_-]{2,150}\Z"
ACCESS_FIELDS = ("la_code", "role", "expires_on")


def end_of_day(day: Any) -> datetime:
    """Access ends at 23:59 on the chosen day (the People page's rule)."""
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


class NewPersonForm(MembershipForm):
    """Username, full name, e-mail (a label), optional first access, and the credential kind."""

    username = forms.RegexField(
        regex=USERNAME_RULE,
        error_messages={
            "required": "Enter a username",
            "invalid": "Enter a username of 2 to 150 letters, digits and . @ + _ - only",
        },
    )
    full_name = forms.CharField(
        max_length=150,
        error_messages={
            "required": "Enter the person's full name",
            "max_length": "Name is too long",
        },
    )
    email = forms.EmailField(
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the right format, like name@example.org"
        },
    )
    credential = forms.ChoiceField(
        choices=list(CREDENTIAL_KINDS.items()),
        initial=ONE_TIME_PASSWORD,
        error_messages={"required": "Select how the person signs in the first time"},
    )
    field_order = ["username", "full_name", "email", *ACCESS_FIELDS, "credential"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ACCESS_FIELDS:
            self.fields[name].required = False
        self.fields["role"].choices = [("", "No access yet"), *self.fields["role"].choices]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with this username already exists")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        given = [name for name in ACCESS_FIELDS if data.get(name)]
        if given and len(given) < len(ACCESS_FIELDS):
            for name, message in (
                ("la_code", "Enter the LA code"),
                ("role", "Select a role"),
                ("expires_on", "Enter the date access ends"),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        expires_on = data.get("expires_on")
        if expires_on and end_of_day(expires_on) <= timezone.now():
            self.add_error("expires_on", "The date access ends must be in the future")
        return data

    def access(self) -> list[Access]:
        """The membership to grant with the account (none if no access was given)."""
        data = self.cleaned_data
        if not data.get("role"):
            return []
        return [Access(data["la_code"], data["role"], end_of_day(data["expires_on"]))]
