"""Pages: sign in and out, home, change password, 2FA set-up and verify, accessibility."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from csceval.web.accounts import mfa
from csceval.web.accounts.forms import (
    GovukAuthenticationForm,
    MfaSetupForm,
    PasswordChangeForm,
    TokenForm,
)
from csceval.web.accounts.models import AccountState
from csceval.web.accounts.selectors import memberships_for
from csceval.web.accounts.services import password_change as change_password


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


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change password; the current one is asked for again (SEC-C4)."""
    state = AccountState.objects.filter(user=request.user).first()
    form = PasswordChangeForm(
        request.POST if request.method == "POST" else None, request=request, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        change_password(
            request=request, user=request.user, new_password=form.cleaned_data["new_password"]
        )
        return redirect("home")
    one_time = state is not None and state.must_change_password
    return render(request, "accounts/password_change.html", {"form": form, "one_time": one_time})


@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: show the secret and QR code, check its first code."""
    user: Any = request.user
    replacing = mfa.has_confirmed_device(user)
    device = mfa.pending_device(request)
    form = MfaSetupForm(
        request.POST if request.method == "POST" else None,
        request=request,
        user=user,
        replacing=replacing,
    )
    if request.method == "POST" and form.is_valid():
        if mfa.confirm_device(request, device, form.cleaned_data["token"]):
            return redirect("home")
        form.add_error("token", "The code is not right: enter the code your app shows now")
    context = {
        "form": form,
        "replacing": replacing,
        "secret": mfa.secret_text(device),
        "qr_svg": mfa.qr_svg(device),
    }
    return render(request, "accounts/mfa_setup.html", context)


@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code from the user's authenticator app."""
    if not mfa.has_confirmed_device(request.user):
        return redirect("mfa_setup")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if mfa.verify(request, form.cleaned_data["token"]):
            return redirect("home")
        form.add_error("token", "The code is not right: enter the code your app shows now")
    return render(request, "accounts/mfa_verify.html", {"form": form})


@login_not_required
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (public)."""
    return render(request, "pages/accessibility.html", {})
