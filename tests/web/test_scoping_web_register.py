"""The national-scoping pages with the Django test client: the register kept as history and
audited, the as-at view, upload and review of responses, and the export the analysis reads."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from django.test import Client
from openpyxl import Workbook
from scoping_helpers import load_scoping
from web_helpers import make_user, sign_in

from csceval.project.comparators import choose_comparators
from csceval.project.load import load_settings
from csceval.project.read import read_table
from csceval.project.register import framework_users, period_end
from csceval.project.tables import (
    FRAMEWORK_REGISTER,
    FRAMEWORK_SCOPING,
    LOCAL_AUTHORITIES,
    STATISTICAL_NEIGHBOURS,
)
from csceval.strands.strand import StrandInputs
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.evaluation.project_io import project_files
from csceval.web.scoping.imported import sync_imported
from csceval.web.scoping.models import RegisterEpisode, ScopingResponse
from csceval.web.scoping.selectors import framework_users_as_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluator(demo_project: Path) -> Client:
    load_scoping(demo_project)
    return sign_in(Client(), make_user("eva", ("*", "evaluator")))


def _episode_form(**values: str) -> dict[str, str]:
    base = {
        "framework": "Signs of Safety", "extent": "some_teams", "started": "2019-04-01",
        "ended": "", "precision": "day", "training": "external", "licensing": "licensed",
        "source": "desk_review", "confidence": "medium", "recorded": "2020-01-10",
        "reason": "Found in the LA's 2019 self-evaluation",
    }  # fmt: skip
    return {**base, **values}


def _exported(path: str) -> bytes:
    """What the project export (``project_io.project_files``) writes at ``path``."""
    return project_files()[path]


def _exported_register() -> pd.DataFrame:
    content = _exported(FRAMEWORK_REGISTER.file)
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    return frame.replace("", None)


def test_register_edits_are_versions_audited_and_exported(evaluator: Client) -> None:
    page = evaluator.get("/scoping/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('<tr class="govuk-table__row" data-la=') == 152  # every LA of 2025
    users_before = framework_users(_exported_register(), ["Signs of Safety"], date(2025, 3, 31))

    # A new episode for an LA with no framework: a version 1, audited, exported.
    plain = "467"
    assert plain not in users_before
    made = evaluator.post(f"/scoping/las/{plain}/episodes/new/", _episode_form())
    assert made.status_code == 302
    first = RegisterEpisode.objects.get(la_code=plain)
    assert (first.version, first.changed_by) == (1, "eva")
    users = framework_users(_exported_register(), ["Signs of Safety"], date(2025, 3, 31))
    assert users == users_before | {plain}

    # Overlapping the same framework is refused with its code; nothing is written.
    clash = evaluator.post(
        f"/scoping/las/{plain}/episodes/new/", _episode_form(started="2020-01-01")
    )
    assert clash.status_code == 400
    assert b"CSC-E2022" in clash.content
    assert RegisterEpisode.objects.filter(la_code=plain).count() == 1

    # Ending it writes version 2; version 1 stays, superseded; both are in the history.
    ended = evaluator.post(
        f"/scoping/las/{plain}/episodes/{first.episode}/",
        _episode_form(ended="2021-03-31", reason="Stopped in 2021"),
    )
    assert ended.status_code == 302
    versions = list(RegisterEpisode.objects.filter(la_code=plain).order_by("version"))
    assert [(v.version, v.ended, v.superseded_at is None) for v in versions] == [
        (1, None, False),
        (2, date(2021, 3, 31), True),
    ]
    event = AuditEvent.objects.filter(action="scoping.episode_change").latest("sequence")
    assert event.actor == "eva"
    assert event.old_values["ended"] == ""
    assert event.new_values["ended"] == "2021-03-31"
    assert event.new_values["version"] == "2"
    history = evaluator.get(f"/scoping/las/{plain}/").content.decode()
    assert "Stopped in 2021" in history
    assert "Superseded" in history

    # The as-at view reads the dates of use: in use in 2020, gone in 2022 (unless history).
    def shown(day: str, history: str = "") -> bool:
        page = evaluator.get("/scoping/", {"as_at": day, "history": history}).content.decode()
        row = page.split(f'data-la="{plain}"')[1].split("</tr>")[0]
        return "Signs of Safety" in row

    assert shown("2020-06-30")
    assert not shown("2022-06-30")
    assert shown("2022-06-30", "on")

    # Withdrawn (recorded in error): version 3, out of the register and of the export.
    gone = evaluator.post(
        f"/scoping/las/{plain}/episodes/{first.episode}/",
        {"action": "withdraw", "withdraw-reason": "Wrong LA"},
    )
    assert gone.status_code == 302
    assert RegisterEpisode.objects.filter(la_code=plain).count() == 3
    assert framework_users(_exported_register(), ["Signs of Safety"], date(2025, 3, 31)) == (
        users_before
    )
    assert AuditEvent.objects.filter(action="scoping.episode_withdraw").count() == 1

    # The as-at view downloads as CSV (one row per episode shown; the export audited).
    download = evaluator.get("/scoping/", {"as_at": "2020-06-30", "format": "csv"})
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert {r["la_code"] for r in rows} >= {plain}
    assert len(rows) >= 150
    assert AuditEvent.objects.filter(action="scoping.register_export").count() == 1

    # A viewer of one LA cannot read the register; an LA coordinator cannot change it.
    viewer = sign_in(Client(), make_user("v", (plain, "viewer")))
    assert viewer.get("/scoping/").status_code == 403
    coordinator = sign_in(Client(), make_user("c", ("*", "evaluator")))
    assert coordinator.get("/scoping/map/").status_code == 200


def test_upload_and_review_into_the_register(evaluator: Client) -> None:
    sync_imported()
    held = ScopingResponse.objects.count()
    header = "response_id,la_code,respondent_role,frameworks,extent,since,training,licensing,"
    header += "received,review_status,reviewed\n"
    bad = header + "U-1,999,director,Signs of Safety,whole_service,2016,external,licensed,"
    bad += "2025-02-01,pending,\n"
    refused = evaluator.post(
        "/scoping/survey/upload/",
        {"file": _upload("responses.csv", bad), "sheet": ""},
    )
    assert refused.status_code == 400
    assert b"CSC-E3505" in refused.content
    assert ScopingResponse.objects.count() == held
    good = header + "U-1,467,director,Family Safeguarding,whole_service,2023,external,"
    good += "licensed,2025-02-01,pending,\n"
    added = evaluator.post("/scoping/survey/upload/", {"file": _upload("r.csv", good)})
    assert added.status_code == 200
    assert b"1 new responses added" in added.content
    assert ">U-1</a>" in evaluator.get("/scoping/survey/").content.decode()

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Responses"
    for line in good.replace("U-1,467", "U-2,471").splitlines():
        sheet.append(line.split(","))
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    sent = evaluator.post(
        "/scoping/survey/upload/",
        {"file": _upload("r.xlsx", xlsx.getvalue()), "sheet": "Responses"},
    )
    assert b"1 new responses added" in sent.content
    assert ScopingResponse.objects.get(response_id="U-2").la_code == "471"

    accepted = evaluator.post("/scoping/survey/responses/U-1/", {"decision": "accepted"})
    assert accepted.status_code == 200
    assert b"467: Family Safeguarding added" in accepted.content
    episode = RegisterEpisode.objects.get(la_code="467", framework="Family Safeguarding")
    assert (episode.source, episode.confidence, episode.started) == (
        "survey",
        "high",
        date(2022, 4, 1),
    )
    review = AuditEvent.objects.get(action="scoping.response_review")
    assert review.new_values["review_status"] == "accepted"
    exported = _exported("data/scoping_responses.csv").decode()
    assert "U-1,467,director,Family Safeguarding" in exported


def _upload(name: str, content: str | bytes) -> io.BytesIO:
    handle = io.BytesIO(content.encode("utf-8") if isinstance(content, str) else content)
    handle.name = name
    return handle


def test_as_at_view_reproduces_the_comparator_exclusions(demo_project: Path) -> None:
    """The register read into the platform, viewed as at the period end with history, names
    exactly the LAs the analysis keeps out of comparators as framework users."""
    load_scoping(demo_project, files=("data/framework_register.csv",))
    settings, _ = load_settings(demo_project)
    assert settings is not None
    schemas = (FRAMEWORK_REGISTER, FRAMEWORK_SCOPING, LOCAL_AUTHORITIES, STATISTICAL_NEIGHBOURS)
    read = {s.name: read_table(demo_project, s) for s in schemas}
    assert not [p for _, problems in read.values() for p in problems]
    tables = {name: frame for name, (frame, _) in read.items() if frame is not None}
    frameworks = list(settings.evaluation.frameworks)
    end = period_end(settings.periods.last_year)
    sync_imported()
    shown = framework_users_as_at(end, frameworks)
    assert shown == framework_users(tables["framework_register"], frameworks, end)
    comparators = choose_comparators(StrandInputs(settings, tables))
    assert shown
    assert shown <= set(comparators.excluded)
    assert not shown & set(comparators.la_codes)
    sites = {s.la_code for s in settings.sites if s.role in ("pilot", "exited", "contrast")}
    assert set(comparators.excluded) == shown | sites


def test_pages_before_any_project_is_imported() -> None:
    """No LAs, no register, no survey yet: every page answers, none fails."""
    client = sign_in(Client(), make_user("admin", ("*", "evaluation_admin")))
    for url in ("/scoping/", "/scoping/map/", "/scoping/survey/", "/scoping/survey/links/"):
        assert client.get(url).status_code == 200, url
    assert b"no hex layout" in client.get("/scoping/map/").content
