"""The broken and confusing journeys of issue 15 item 4, each fixed and kept fixed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from case_audit_helpers import OWN, evaluation
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from web_helpers import make_user, sign_in

from csceval.strands.implementation.elements import element_ids
from csceval.web.accounts.models import Role
from csceval.web.accounts.passwords import CommonPasswordValidator, predictable
from csceval.web.case_audits.models import CaseSample, SampledCase
from csceval.web.evaluation.models import ProjectFile, Site
from csceval.web.implementation.models import ProfileStatus, SelfProfile, SelfProfileRating
from csceval.web.implementation.services import exported_profiles
from csceval.web.returns.models import PilotReturn

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def _evaluator_page(client: Client, path: str, site_name: str) -> str:
    Site.objects.create(la_code="201", name=site_name, role="pilot")
    sign_in(client, make_user("eva", ("*", Role.EVALUATOR)))
    return client.get(path).content.decode()


def test_the_sites_list_links_each_site(client: Client) -> None:
    html = _evaluator_page(client, "/sites/", "Camden & Co")
    assert '<a class="govuk-link" href="/sites/201/">Camden &amp; Co</a>' in html
    assert "&lt;a" not in html


def test_sign_out_is_in_the_header_of_the_forced_pages(client: Client) -> None:
    from csceval.web.accounts.services import issue_one_time_password
    from csceval.web.security import clock

    user = make_user("eva", ("*", Role.EVALUATOR))
    issue_one_time_password(user=user, expires_at=clock.now().replace(year=2099))
    client.force_login(user)
    for path in ("/account/password/", "/account/two-factor/set-up/"):
        if path.endswith("set-up/"):
            user.account_state.delete()
        html = client.get(path).content.decode()
        header = html[html.index("<header") : html.index("</header>")]
        assert 'action="/logout/"' in header, path
        assert "Sign out" in header
        assert "govuk-header__logotype" not in html  # the GOV.UK logotype is gone
        assert "govuk-footer__crown" not in html


def test_next_is_kept_through_the_two_factor_code(client: Client) -> None:
    user = make_user("eva", ("*", Role.EVALUATOR), password=PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    response = client.post("/login/?next=/sites/", {"username": "eva", "password": PASSWORD})
    assert response["Location"] == "/account/two-factor/verify/?next=%2Fsites%2F"
    page = client.get(response["Location"]).content.decode()
    assert '<input type="hidden" name="next" value="/sites/">' in page
    token = f"{TOTP(device.bin_key, digits=6).token():06d}"
    response = client.post("/account/two-factor/verify/", {"token": token, "next": "/sites/"})
    assert response["Location"] == "/sites/"
    evil = client.get("/account/two-factor/verify/?next=https://evil.example/")
    assert "evil.example" not in evil.content.decode()  # another site's next is dropped


def test_the_site_form_role_list_has_one_empty_option(client: Client) -> None:
    sign_in(client, make_user("ada", ("*", Role.EVALUATION_ADMIN)))
    html = client.get("/sites/new/").content.decode()
    select = html[html.index('<select class="govuk-select" id="id_role"') :]
    select = select[: select.index("</select>")]
    assert re.findall(r'<option value="">', select) == ['<option value="">']


def test_states_read_as_words(client: Client) -> None:
    html = _evaluator_page(client, "/sites/201/", "Site 201")
    assert "Has not left the framework" in html
    assert ">None<" not in html


def test_an_accepted_upload_gets_a_success_banner(client: Client) -> None:
    site = Site.objects.create(la_code="201", name="Site 201", role="pilot")
    ret = PilotReturn.objects.create(site=site, year=2026)
    sign_in(client, make_user("cora", ("201", Role.LA_COORDINATOR)))
    assert (
        "govuk-notification-banner--success"
        not in client.get(f"/returns/{ret.pk}/").content.decode()
    )
    html = client.get(f"/returns/{ret.pk}/?uploaded=1").content.decode()
    assert "govuk-notification-banner--success" in html
    assert "Your file was uploaded" in html


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("password12345678", True),
        ("Password1234567!", True),
        ("passwordpassword1", True),
        ("123456789012345", True),
        ("qwertyuiop123456", True),
        ("purple otters juggle quietly", False),
        ("monkey847362918273645", False),
    ],
)
def test_passwords_built_from_common_ones_are_refused(password: str, refused: bool) -> None:
    assert predictable(password, CommonPasswordValidator().passwords) is refused


def _profile_csv(la_code: str, status: str) -> bytes:
    lines = ["la_code,time_point,element,rating,status,evidence"]
    lines += [f"{la_code},T1,{e},7,{status},Imported" for e in element_ids()]
    return ("\n".join(lines) + "\n").encode()


def test_imported_profiles_show_and_stay_until_a_reviewed_one_replaces_them(
    client: Client,
) -> None:
    evaluation()
    imported = _profile_csv(OWN, "")
    ProjectFile.objects.create(path="data/self_profiles.csv", content=imported, sha256="x")
    sign_in(client, make_user("eva", ("*", Role.EVALUATOR)))
    assert "Imported (reviewed)" in client.get("/self-profiles/").content.decode()
    page = client.get(f"/self-profiles/{OWN}/T1/").content.decode()
    assert 'id="imported-profile"' in page
    assert "7 – Imported" in page  # its ratings are shown

    profile = SelfProfile.objects.create(
        site=Site.objects.get(la_code=OWN), time_point="T1", status=ProfileStatus.SUBMITTED
    )
    for element in element_ids():
        SelfProfileRating.objects.create(profile=profile, element=element, rating=2)
    exported = exported_profiles(imported).decode()
    assert ",7,," in exported  # the reviewed imported profile stays
    assert ",2,submitted," not in exported
    profile.status = ProfileStatus.REVIEWED
    profile.save()
    exported = exported_profiles(imported).decode()
    assert ",2,reviewed," in exported
    assert ",7,," not in exported


def test_imported_case_samples_are_summarised_on_the_index(client: Client) -> None:
    evaluation()
    samples = "la_code,time_point,pseudonym,stratum,drawn_rank,status\n"
    samples += f"{OWN},T1,P1,cla,1,sampled\n{OWN},T1,P2,cla,2,reserve\n902,T1,P9,cla,1,sampled\n"
    ProjectFile.objects.create(path="data/case_samples.csv", content=samples.encode(), sha256="x")
    audits = f"la_code,pseudonym,time_point,rater_id,item\n{OWN},P1,T1,r1,q1\n"
    ProjectFile.objects.create(path="data/case_audits.csv", content=audits.encode(), sha256="y")
    sign_in(client, make_user("aud", (OWN, Role.AUDITOR)))
    html = client.get("/case-audits/").content.decode()
    table = html[
        html.index('id="imported-samples"') : html.index(
            "</table>", html.index('id="imported-samples"')
        )
    ]
    assert "Site 901" in table
    assert "Site 902" not in table
    assert re.findall(r"numeric\">(\d+)<", table) == ["1", "1", "1"]
    assert "P1" not in table  # no pseudonyms in the summary


def test_a_coordinator_can_open_the_sample_they_drew(client: Client) -> None:
    evaluation()
    sample = CaseSample.objects.create(
        site=Site.objects.get(la_code=OWN), time_point="T1", seed=5, case_list_sha256="a" * 64,
        n_requested=1, allocation="equal", second_share=0,
        instrument="assessment-and-planning", instrument_version="1.0",
    )  # fmt: skip
    SampledCase.objects.create(
        sample=sample, pseudonym="P-1", stratum="cla", drawn_rank=1, status="sampled"
    )
    sign_in(client, make_user("cora", (OWN, Role.LA_COORDINATOR)))
    index = client.get("/case-audits/").content.decode()
    assert f'href="/case-audits/{OWN}/T1/drawn/"' in index
    page = client.get(f"/case-audits/{OWN}/T1/drawn/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 case to audit" in html
    assert "P-1" not in html
    assert client.get(f"/case-audits/{OWN}/T1/").status_code == 403  # the cases stay auditors'
    assert date.today().strftime("%Y") in html
