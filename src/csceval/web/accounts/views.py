"""Pages: sign in and out, home, change password, 2FA set-up and verify, accessibility."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from csceval.web.accounts import mfa
from csceval.web.accounts.first_run import first_steps
from csceval.web.accounts.forms import (
    GovukAuthenticationForm,
    MfaSetupForm,
    PasswordChangeForm,
    TokenForm,
)
from csceval.web.accounts.gates import continue_url, safe_next, with_next
from csceval.web.accounts.models import AccountState
from csceval.web.accounts.selectors import memberships_for
from csceval.web.accounts.services import password_change as change_password


class GovukLoginView(LoginView):
    """Sign in; a person with a gate to pass (2FA code, new password) goes there with ``next``."""

    template_name = "accounts/login.html"
    form_class = GovukAuthenticationForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        next_url = self.get_redirect_url()
        return continue_url(self.request, next_url)


class GovukLogoutView(LogoutView):
    pass


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The person's access, their account's security, and for admins the first steps."""
    user: Any = request.user
    context = {
        "memberships": list(memberships_for(user)),
        "two_factor": mfa.has_confirmed_device(user),
        "first_steps": first_steps(user),
    }
    return render(request, "accounts/home.html", context)


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change password; the current one is asked for again (SEC-C4)."""
    state = AccountState.objects.filter(user=request.user).first()
    form = PasswordChangeForm(
        request.POST if request.method == "POST" else None, request=request, user=request.user
    )
    next_url = safe_next(request)
    if request.method == "POST" and form.is_valid():
        change_password(
            request=request, user=request.user, new_password=form.cleaned_data["new_password"]
        )
        return redirect(continue_url(request, next_url))
    one_time = state is not None and state.must_change_password
    context = {"form": form, "one_time": one_time, "next": next_url}
    return render(request, "accounts/password_change.html", context)


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
            return redirect(continue_url(request, safe_next(request)))
        form.add_error("token", "The code is not right: enter the code your app shows now")
    context = {
        "form": form,
        "replacing": replacing,
        "secret": mfa.secret_text(device),
        "qr_svg": mfa.qr_svg(device),
        "next": safe_next(request),
        "required": mfa.mfa_required(user),
    }
    return render(request, "accounts/mfa_setup.html", context)


@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code from the user's authenticator app."""
    next_url = safe_next(request)
    if not mfa.has_confirmed_device(request.user):
        return redirect(with_next("mfa_setup", next_url))
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if mfa.verify(request, form.cleaned_data["token"]):
            return redirect(continue_url(request, next_url))
        form.add_error("token", "The code is not right: enter the code your app shows now")
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url})


@login_not_required
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (public)."""
    return render(request, "pages/accessibility.html", {})
