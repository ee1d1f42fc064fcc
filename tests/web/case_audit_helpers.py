"""Shared by the case-audit web tests: an evaluation with two LAs, users, case lists with a
key, the drawing form, and a full rating of the default instrument."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from web_helpers import make_user, sign_in

from csceval.web.case_audits.models import (
    CaseSample,
    SampledCase,
)
from csceval.web.evaluation.models import EvaluationSetup, Site

OWN = "901"


OTHER = "902"


KEY = "correct-horse-battery-staple-LA"


OTHER_KEY = "a-different-key-of-the-other-LA"


def case_list(n: int = 40) -> bytes:
    """A case list without identifiers: LA case ids and three strata."""
    strata = ("cla", "cpp", "cin_plan")
    lines = ["case_id,stratum,team"] + [
        f"C{i:05d},{strata[i % 3]},Team {i % 2}" for i in range(1, n + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


def evaluation() -> None:
    EvaluationSetup.objects.create(
        settings_json={
            "evaluation": {"name": "Audit", "frameworks": ["F"], "price_year": "2019-20"},
            "periods": {
                "first_year": 2015,
                "last_year": 2020,
                "time_points": [
                    {"id": "T1", "start": "2018-09-01", "end": "2018-11-30"},
                    {"id": "T2", "start": "2019-09-01", "end": "2019-11-30"},
                ],
            },
            "analysis": {"indicators": ["cla_rate_per_10k"]},
        }
    )
    for code in (OWN, OTHER):
        Site.objects.create(
            la_code=code, name=f"Site {code}", role="pilot", implementation_start=date(2018, 4, 1)
        )


def user_client(name: str, *memberships: tuple[str, str]) -> tuple[Client, Any]:
    user = make_user(name, *memberships)
    return sign_in(Client(), user), user


def upload(content: bytes, name: str = "cases.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def draw_form(content: bytes, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file": upload(content),
        "key": KEY,
        "time_point": "T1",
        "n": "10",
        "allocation": "proportional",
        "second_share": "20",
        "seed": "2024",
    }
    data.update(over)
    return data


NHS_OK = "9434765919"  # a valid-checksum NHS number from NHS Digital's published test range


@pytest.fixture
def two_la_evaluation() -> None:
    """An evaluation with two pilot LAs (own and other), as every case-audit test needs."""
    evaluation()


def post_draw(client: Client, content: bytes | None = None, **over: Any) -> Any:
    return client.post(f"/case-audits/{OWN}/draw/", draw_form(content or case_list(), **over))


def coordinator_client() -> Client:
    return user_client("coord", (OWN, "la_coordinator"))[0]


def full_answers(instrument: Any, value: str = "3") -> dict[str, str]:
    """A full rating: every ordinal item ``value``, yes/no items yes, free text left empty."""
    out = {}
    for _, item, scale in instrument.items():
        if scale.kind == "ordinal":
            out[f"item_{item.id}"] = value
        elif scale.kind == "yes_no":
            out[f"item_{item.id}"] = "yes"
    return out


def drawn_sample(setup_client: Client | None = None) -> CaseSample:
    post_draw(setup_client or coordinator_client())
    return CaseSample.objects.get()


def complete_rating(client: Client, case: SampledCase, answers: dict[str, str]) -> Any:
    return client.post(f"/case-audits/case/{case.pk}/", {"action": "complete", **answers})
