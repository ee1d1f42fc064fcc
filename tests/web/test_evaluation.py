"""The evaluation app: project round trip, sites and set-up, analysis runs, audit trail, people."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from django.test import Client
from web_helpers import make_user, sign_in

from csceval.errors import InputError
from csceval.pipeline import load_project
from csceval.web.accounts.models import Membership
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import verify_chain
from csceval.web.evaluation.models import AnalysisRun, IndicatorValue, Site
from csceval.web.evaluation.project_io import import_project, project_files, write_project
from csceval.web.evaluation.runs import report_file, start_run

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def synthetic(quick_simulated: Callable[[int], Path]) -> Path:
    """A simulated project with a cut plan: these tests are of the platform, not the analysis."""
    return quick_simulated(7)


@pytest.fixture
def imported(synthetic: Path) -> Path:
    import_project(synthetic, actor="test")
    return synthetic


def test_export_reproduces_the_imported_project(imported: Path, tmp_path: Path) -> None:
    out = tmp_path / "exported"
    write_project(out, project_files())
    original, exported = load_project(imported), load_project(out)
    by_code = sorted(original.settings.sites, key=lambda site: site.la_code)
    assert exported.settings == original.settings.model_copy(update={"sites": by_code})
    for name in ("local_authorities", "statistical_neighbours", "indicators"):
        relative = f"data/{name}.csv"
        assert (out / relative).read_bytes() == (imported / relative).read_bytes(), relative
    assert (out / "truth.json").read_bytes() == (imported / "truth.json").read_bytes()
    assert tomllib.loads((out / "evaluation.toml").read_text())["format_version"] == 1
    event = AuditEvent.objects.get(action="project.import")
    assert event.new_values["sites"] == len(original.settings.sites)


def test_an_invalid_project_is_refused_whole(imported: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    write_project(broken, project_files())
    csv_path = broken / "data/indicators.csv"
    csv_path.write_text(csv_path.read_text().replace("\n", "\n999,2015,cla_rate_per_10k,-4\n", 1))
    before = IndicatorValue.objects.count()
    with pytest.raises(InputError) as caught:
        import_project(broken, actor="test")
    assert {p.code for p in caught.value.problems} >= {"CSC-E2010"}
    assert IndicatorValue.objects.count() == before
    assert AuditEvent.objects.filter(action="project.import").count() == 1


def test_sites_are_scoped_to_memberships(imported: Path) -> None:
    first, second = Site.objects.order_by("la_code")[:2]
    coordinator = make_user("coord", (first.la_code, "la_coordinator"))
    client = sign_in(Client(), coordinator)
    listing = client.get("/sites/").content.decode()
    assert first.name in listing
    assert second.name not in listing
    assert client.get(f"/sites/{first.la_code}/").status_code == 200
    assert client.get(f"/sites/{second.la_code}/").status_code == 404
    assert client.get(f"/sites/{first.la_code}/edit/").status_code == 403
    nobody = sign_in(Client(), make_user("nobody"))
    assert "There are no sites you can see" in nobody.get("/sites/").content.decode()
    assert nobody.get(f"/sites/{first.la_code}/").status_code == 404


def test_admin_adds_and_changes_a_site_with_audited_old_and_new_values(imported: Path) -> None:
    admin = sign_in(Client(), make_user("admin", ("*", "evaluation_admin")))
    bad = admin.post("/sites/new/", {"la_code": "12", "name": "", "role": "pilot"})
    page = bad.content.decode()
    assert bad.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_la_code"' in page
    assert "Enter the implementation start date" in page
    new = {"la_code": "998", "name": "Testshire", "role": "comparator"}
    assert admin.post("/sites/new/", new).status_code == 302
    changed = {**new, "name": "Testshire Council"}
    assert admin.post("/sites/998/edit/", changed).status_code == 302
    event = AuditEvent.objects.get(action="site.update")
    assert event.old_values["name"] == "Testshire"
    assert event.new_values["name"] == "Testshire Council"
    assert verify_chain() == []


def test_setup_page_edits_the_evaluation_and_export_follows(imported: Path, tmp_path: Path) -> None:
    admin = sign_in(Client(), make_user("admin", ("*", "evaluation_admin")))
    form = {
        "name": "Renamed evaluation",
        "frameworks": "Signs of Safety",
        "price_year": "2019-20",
        "first_year": "2010",
        "last_year": "2025",
        "indicators": ["cla_rate_per_10k", "cpp_rate_per_10k"],
        "comparators_model": "",
        "baseline_first": "2012",
        "baseline_last": "2015",
        "followup_first": "2015",
        "followup_last": "2020",
    }
    overlapping = admin.post("/setup/", form)
    assert overlapping.status_code == 200
    assert "The follow-up window must start after the baseline" in overlapping.content.decode()
    assert admin.post("/setup/", {**form, "followup_first": "2017"}).status_code == 302
    write_project(tmp_path / "p", project_files())
    settings = load_project(tmp_path / "p").settings
    assert settings.evaluation.name == "Renamed evaluation"
    assert settings.analysis.indicators == ["cla_rate_per_10k", "cpp_rate_per_10k"]
    assert (settings.analysis.baseline_years, settings.analysis.followup_years) == (
        [2012, 2015], [2017, 2020])  # fmt: skip
    assert settings.comparators.model is None
    assert AuditEvent.objects.filter(action="evaluation.configure").exists()
    page = admin.get("/setup/").content.decode()
    assert 'name="baseline_first" type="text" value="2012"' in page


REAL_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sos-phase2" / "evaluation.toml"
VALID_PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "valid_project"


def test_the_real_examples_settings_survive_import_and_export(tmp_path: Path) -> None:
    """examples/sos-phase2/evaluation.toml ([comparators] model 2021, the baseline and
    follow-up windows, each pilot's adoption_source) over the fixture's data, with neighbour
    rows of the 2021 model: import, export, and the settings and neighbour rows are identical;
    the site and set-up pages show and edit them."""
    project = tmp_path / "real"
    shutil.copytree(VALID_PROJECT, project)
    shutil.copy(REAL_EXAMPLE, project / "evaluation.toml")
    sites = tomllib.loads(REAL_EXAMPLE.read_text(encoding="utf-8"))["sites"]
    las = project / "data" / "local_authorities.csv"
    las.write_text(las.read_text() + "".join(
        f"{s['la_code']},E0699{s['la_code']}0,LA {s['la_code']},E12000006,East of England,2010,,\n"
        for s in sites))  # fmt: skip
    neighbours = project / "data" / "statistical_neighbours.csv"
    neighbours.write_text("la_code,rank,neighbour_code,closeness,model\n" + "".join(
        f"{code},1,401,Close,2021\n" for code in sorted(s["la_code"] for s in sites)))  # fmt: skip
    import_project(project, actor="test")
    out = tmp_path / "exported"
    write_project(out, project_files())
    original, exported = load_project(project).settings, load_project(out).settings
    assert original.comparators.model == "2021"
    assert all(s.adoption_source for s in original.sites_with_role("pilot"))
    by_code = sorted(original.sites, key=lambda site: site.la_code)
    assert exported == original.model_copy(update={"sites": by_code})
    assert (out / "data/statistical_neighbours.csv").read_text() == neighbours.read_text()

    admin = sign_in(Client(), make_user("admin", ("*", "evaluation_admin")))
    first = by_code[0]
    assert first.adoption_source in unescape(admin.get(f"/sites/{first.la_code}/").content.decode())
    assert 'value="2021" selected' in admin.get("/setup/").content.decode()


def test_a_run_publishes_a_report_that_only_report_readers_get(imported: Path) -> None:
    evaluator = make_user("eve", ("*", "evaluator"))
    run = start_run(actor=evaluator, background=False)
    assert run.status == AnalysisRun.Status.DONE, run.error
    assert report_file(run, "../../../etc/passwd") is None
    client = sign_in(Client(), evaluator)
    page = client.get(f"/analysis/{run.pk}/files/report/index.html")
    assert page.status_code == 200
    assert b'id="not-evaluated"' in page.content  # the summary page
    assert "script-src" not in page["Content-Security-Policy"]
    assert "'sha256-" in page["Content-Security-Policy"]
    assert client.get(f"/analysis/{run.pk}/files/report.xlsx").status_code == 200
    assert AuditEvent.objects.filter(action="report.download").count() == 2
    pilot = Site.objects.filter(role="pilot").order_by("la_code").first()
    coordinator = sign_in(Client(), make_user("coord", (pilot.la_code, "la_coordinator")))
    benchmarks = coordinator.get(f"/sites/{pilot.la_code}/benchmarks/")
    assert benchmarks.status_code == 200
    assert b"Statistical neighbours" in benchmarks.content
    assert b"<svg" in benchmarks.content
    assert "script-src" not in benchmarks["Content-Security-Policy"]
    other = Site.objects.exclude(la_code=pilot.la_code).first()
    assert coordinator.get(f"/sites/{other.la_code}/benchmarks/").status_code == 404
    auditor = sign_in(Client(), make_user("aud", (Site.objects.first().la_code, "auditor")))
    assert auditor.get(f"/analysis/{run.pk}/files/report/index.html").status_code == 403


# The "Run analysis" button's background run (a queued job done by a worker process):
# tests/web/test_runs_durable.py.


def test_reading_the_audit_trail_is_itself_audited(imported: Path) -> None:
    client = sign_in(Client(), make_user("eve", ("*", "evaluator")))
    assert client.get("/audit/").status_code == 200
    assert AuditEvent.objects.filter(action="audit.read", actor="eve").count() == 1
    export = client.get("/audit/export.csv")
    body = b"".join(export.streaming_content).decode()
    assert body.splitlines()[0].startswith("sequence,occurred_at,actor,action")
    assert "project.import" in body
    assert AuditEvent.objects.filter(action="audit.export").exists()
    coordinator = sign_in(Client(), make_user("coord", ("901", "la_coordinator")))
    assert coordinator.get("/audit/").status_code == 403


def test_people_page_grants_and_revokes_with_immediate_effect(imported: Path) -> None:
    site = Site.objects.first()
    admin = sign_in(Client(), make_user("admin", ("*", "evaluation_admin")))
    target = make_user("newbie")
    bad = admin.post("/people/", {"username": "newbie", "la_code": "*", "role": "la_coordinator",
                                  "expires_on": "2099-01-01"})  # fmt: skip
    assert "work for one LA" in bad.content.decode()
    ok = {
        "username": "newbie",
        "la_code": site.la_code,
        "role": "viewer",
        "expires_on": "2099-01-01",
    }
    assert admin.post("/people/", ok).status_code == 302
    newbie = sign_in(Client(), target)
    assert newbie.get(f"/sites/{site.la_code}/").status_code == 200
    membership = Membership.objects.get(user=target)
    assert admin.post(f"/people/{membership.pk}/remove/").status_code == 302
    assert newbie.get(f"/sites/{site.la_code}/").status_code == 404
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "membership.grant" in actions
    assert "membership.revoke" in actions
