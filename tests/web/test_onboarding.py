"""Onboarding without a shell (issue 15 item 1): an admin adds people with a one-time password or
a one-time sign-in link shown once, deactivates them; every change audited; `csceval createuser`."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from django.contrib.auth import get_user_model
from django.test import Client
from web_helpers import make_user, sign_in

from csceval.cli import main
from csceval.web.accounts.models import Membership, Role
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import verify_chain

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "purple otters juggle quietly at dawn"


@pytest.fixture
def admin(client: Client) -> Client:
    return sign_in(client, make_user("ada", ("*", Role.EVALUATION_ADMIN)))


def _add(admin: Client, **values: str) -> str:
    data = {"username": "cora", "full_name": "Cora Smith", "email": "cora@example.org"}
    data.update({"credential": "one_time_password", **values})
    response = admin.post("/people/users/new/", data)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def test_admin_adds_a_coordinator_who_signs_in_with_the_one_time_password(admin: Client) -> None:
    html = _add(admin, role="la_coordinator", la_code="201", expires_on="2099-03-31")
    password = re.search(r'id="one-time-password">([^<]+)<', html).group(1)
    cora = get_user_model().objects.get(username="cora")
    assert (cora.first_name, cora.email) == ("Cora Smith", "cora@example.org")
    assert Membership.objects.get(user=cora).role == Role.LA_COORDINATOR
    created = AuditEvent.objects.get(action="user.create")
    assert created.actor == "ada"
    assert created.new_values["credential"] == "one_time_password"
    assert password not in created.canonical_json()
    assert AuditEvent.objects.filter(action="membership.grant", actor="ada").exists()
    assert password not in admin.get(f"/people/users/{cora.pk}/").content.decode()  # shown once

    person = Client()
    response = person.post("/login/?next=/sites/", {"username": "cora", "password": password})
    assert response["Location"] == "/account/password/?next=%2Fsites%2F"
    response = person.post(
        "/account/password/",
        {
            "current_password": password,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "next": "/sites/",
        },
    )
    assert response["Location"] == "/sites/"  # coordinators need no 2FA: straight to the page
    assert person.get("/sites/").status_code == 200
    assert verify_chain() == []


def test_a_sign_in_link_works_once_and_leads_to_two_factor_set_up(admin: Client) -> None:
    html = _add(
        admin,
        username="eve",
        credential="sign_in_link",
        role="evaluator",
        la_code="*",
        expires_on="2099-03-31",
    )
    link = re.search(r'id="sign-in-link">https?://[^/]+(/[^<]+)<', html).group(1)
    person = Client()
    assert person.get(link).status_code == 200
    weak = person.post(link, {"new_password": "password12345678", "confirm_password": "x"})
    assert weak.status_code == 400
    assert "common passwords" in weak.content.decode()
    response = person.post(link, {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response["Location"] == "/"
    assert person.get("/")["Location"] == "/account/two-factor/set-up/"  # evaluators need 2FA
    again = Client().get(link)
    assert again.status_code == 400
    assert "does not work" in again.content.decode()
    assert AuditEvent.objects.filter(action="auth.password_changed", actor="eve").exists()


def test_deactivating_ends_the_session_and_is_audited(admin: Client) -> None:
    cora = make_user("cora", ("201", Role.LA_COORDINATOR))
    person = sign_in(Client(), cora)
    assert person.get("/sites/").status_code == 200
    response = admin.post(f"/people/users/{cora.pk}/", {"action": "deactivate"})
    assert response.status_code == 302
    assert person.get("/sites/")["Location"].startswith("/login/")
    event = AuditEvent.objects.get(action="user.deactivate")
    assert (event.old_values["is_active"], event.new_values["is_active"]) == (True, False)
    admin.post(f"/people/users/{cora.pk}/", {"action": "reactivate"})
    assert AuditEvent.objects.filter(action="user.reactivate").exists()
    ada = get_user_model().objects.get(username="ada")
    refused = admin.post(f"/people/users/{ada.pk}/", {"action": "deactivate"})
    assert refused.status_code == 400
    assert "cannot deactivate your own account" in refused.content.decode()


def test_a_new_one_time_password_replaces_the_old_one(admin: Client) -> None:
    cora = make_user("cora", ("201", Role.LA_COORDINATOR))
    html = admin.post(f"/people/users/{cora.pk}/", {"action": "one_time_password"}).content
    assert re.search(rb'id="one-time-password">[^<]{20,}<', html)
    event = AuditEvent.objects.get(action="user.credential_issued")
    assert event.new_values["username"] == "cora"
    root = make_user("root", superuser=True)
    refused = admin.post(f"/people/users/{root.pk}/", {"action": "sign_in_link"})
    assert refused.status_code == 400  # an evaluation admin cannot take a superuser's account
    assert AuditEvent.objects.filter(action="user.credential_issued").count() == 1


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"username": "ada"}, "username", "already exists"),
        ({"role": "la_coordinator"}, "la_code", "Enter the LA code"),
        (
            {"role": "auditor", "la_code": "*", "expires_on": "2099-01-01"},
            "la_code",
            "work for one LA",
        ),
        ({"full_name": ""}, "full_name", "full name"),
        ({"username": "a b"}, "username", "letters, digits"),
    ],
)
def test_the_add_a_person_form_explains_each_mistake(admin, values, field, message) -> None:
    data = {"username": "cora", "full_name": "Cora", "credential": "one_time_password", **values}
    response = admin.post("/people/users/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#id_{field}"' in html
    assert message in html
    assert not AuditEvent.objects.filter(action="user.create").exists()


def test_a_superuser_gets_the_first_run_steps_and_their_two_factor_state(client: Client) -> None:
    sign_in(client, make_user("root", superuser=True))
    html = client.get("/").content.decode()
    assert "no current access" not in html
    for step in ("Set up the evaluation", "Add the sites", "Add people and give them access"):
        assert step in html
    assert "On: you use an authenticator app" in html
    assert 'href="/people/users/new/"' in html


def test_createuser_makes_an_audited_account_with_a_one_time_password() -> None:
    runner = CliRunner()
    args = ["createuser", "--username", "lee", "--name", "Lee Jones", "--role", "evaluator"]
    result = runner.invoke(main, [*args, "--la", "*", "--until", "2099-12-31"])
    assert result.exit_code == 0, result.output
    password = result.output.strip().splitlines()[-1]
    lee = get_user_model().objects.get(username="lee")
    assert lee.check_password(password)
    assert Membership.objects.get(user=lee).la_code == "*"
    assert AuditEvent.objects.get(action="user.create").actor == "cli"
    again = runner.invoke(main, ["createuser", "--username", "lee", "--name", "L"])
    assert again.exit_code == 2
    assert "CSC-E6004 --username" in again.output


def test_the_people_page_leads_to_adding_a_person_and_to_each_account(admin: Client) -> None:
    cora = make_user("cora", ("201", Role.LA_COORDINATOR))
    html = admin.get("/people/?username=cora").content.decode()
    assert 'href="/people/users/new/"' in html
    assert f'href="/people/users/{cora.pk}/"' in html
    assert 'name="username" type="text" value="cora"' in html
    listing = admin.get("/people/users/").content.decode()
    assert "1 membership" in listing
