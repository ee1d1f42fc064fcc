"""Pages: login, logout and the home page listing the user's memberships."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from csceval.web.accounts.selectors import memberships_for


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


class GovukLoginView(LoginView):
    template_name = "accounts/login.html"
    form_class = GovukAuthenticationForm
    redirect_authenticated_user = True


class GovukLogoutView(LogoutView):
    pass


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    memberships = memberships_for(request.user)
    return render(request, "accounts/home.html", {"memberships": list(memberships)})
