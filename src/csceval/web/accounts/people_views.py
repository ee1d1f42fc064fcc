"""People pages for admins: everyone with an account, adding a person, one person's account; and
the one-time sign-in link a new person opens.

Every admin page needs ``membership.manage`` on every site (the People page's rule). A first
credential is shown in the response to the POST that made it, once: it is not stored, not put in
a URL the admin's browser keeps, and the page is not cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from csceval.web.accounts import mfa
from csceval.web.accounts.forms import NewPasswordForm
from csceval.web.accounts.models import ALL_LAS, AccountState, Membership
from csceval.web.accounts.onboarding import (
    CREDENTIAL_KINDS,
    Credential,
    OnboardingError,
    create_person,
    link_user,
    reissue_credential,
    set_active,
)
from csceval.web.accounts.people_forms import NewPersonForm
from csceval.web.accounts.services import password_change
from csceval.web.permissions import Verb, authorize

BACKEND = "csceval.web.accounts.backends.AccountBackend"


def _manage(request: HttpRequest) -> None:
    authorize(request.user, Verb.MEMBERSHIP_MANAGE, ALL_LAS)


def _show_credential(request: HttpRequest, person: Any, made: Credential, *, new: bool) -> Any:
    link = request.build_absolute_uri(made.secret) if made.kind != "one_time_password" else ""
    context = {"person": person, "credential": made, "link": link, "new": new}
    return render(request, "accounts/person_credential.html", context)


@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    _manage(request)
    people = get_user_model().objects.order_by("username").prefetch_related("memberships")
    context = {"people": people, "now": timezone.now()}
    return render(request, "accounts/person_list.html", context)


@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    _manage(request)
    form = NewPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person, made = create_person(
                actor=request.user,
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                access=form.access(),
                credential=data["credential"],
            )
        except OnboardingError as exc:  # a race: the username was taken meanwhile
            form.add_error("username", str(exc))
        else:
            return _show_credential(request, person, made, new=True)
    context = {"form": form, "kinds": CREDENTIAL_KINDS}
    return render(request, "accounts/person_new.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def person_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One account: its memberships and security; deactivate, reactivate, a new credential."""
    _manage(request)
    person = get_object_or_404(get_user_model(), pk=user_id)
    problem = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in CREDENTIAL_KINDS:
                made = reissue_credential(actor=request.user, user=person, kind=action)
                return _show_credential(request, person, made, new=False)
            if action in ("deactivate", "reactivate"):
                set_active(actor=request.user, user=person, active=action == "reactivate")
                return redirect("person_detail", user_id=person.pk)
            problem = "Choose what to do with this account"
        except OnboardingError as exc:
            problem = str(exc)
    context = {
        "person": person,
        "memberships": Membership.objects.filter(user=person).order_by("la_code", "role"),
        "state": AccountState.objects.filter(user=person).first(),
        "two_factor": mfa.has_confirmed_device(person),
        "problem": problem,
        "kinds": CREDENTIAL_KINDS,
        "now": timezone.now(),
    }
    status = 400 if problem else 200
    return render(request, "accounts/person_detail.html", context, status=status)


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """A new person chooses their password through their one-time link, and is signed in."""
    person = link_user(uidb64, token)
    if person is None:
        return render(request, "accounts/link_invalid.html", {}, status=400)
    form = NewPasswordForm(request.POST if request.method == "POST" else None, user=person)
    if request.method == "POST" and form.is_valid():
        password_change(
            request=request, user=person, new_password=form.cleaned_data["new_password"]
        )
        login(request, person, backend=BACKEND)
        return redirect("home")  # the account gate sends them on to 2FA set-up if needed
    context = {"form": form, "person": person}
    return render(
        request, "accounts/sign_in_link.html", context, status=400 if form.errors else 200
    )
