"""A run's files served by their scope (issue 15 item 2): downloads audited with the scope,
the run page without the server's paths, the list of files each role may download."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from web_helpers import make_user, sign_in

from csceval.atomic import staged_folder
from csceval.pipeline.run import scope_record
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.evaluation.models import AnalysisRun
from csceval.web.evaluation.runs import public_summary, run_files
from csceval.web.permissions import readable_run_files

pytestmark = pytest.mark.django_db

NAMES = ("report/index.html", "tables/bench-901-x.csv", "report.xlsx", "costs_workbook.xlsx")


@pytest.fixture
def run(tmp_path: Path) -> AnalysisRun:
    folder = tmp_path / "srv-secret-place" / "runs" / "7"
    with staged_folder(folder / "output", describe=scope_record) as out:
        for name in (*NAMES, "unruled.txt"):
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            (out / name).write_text("<p>x</p>")
    lines = [
        "Ran 2 strand(s): costs, benchmarking",
        "Published 3 tables; 0 cells suppressed by disclosure control.",
        f"Report: {folder}/output/report/index.html",
        f"Workbook: {folder}/output/report.xlsx   Tables: {folder}/output/tables",
        "Done in 1.0 s.",
    ]
    return AnalysisRun.objects.create(
        status=AnalysisRun.Status.DONE, folder=str(folder), summary=lines
    )


def test_the_run_page_shows_no_server_path(run: AnalysisRun) -> None:
    client = sign_in(Client(), make_user("eve", ("*", "evaluator")))
    page = client.get(f"/analysis/{run.pk}/").content.decode()
    assert "Ran 2 strand(s)" in page
    assert "srv-secret-place" not in page
    assert public_summary(run.summary) == run.summary[:2]


def test_each_role_may_download_only_its_files(run: AnalysisRun) -> None:
    files = run_files(run)
    assert files["unruled.txt"] is None
    coordinator = make_user("coord", ("901", "la_coordinator"))
    other = make_user("coord2", ("902", "la_coordinator"))
    evaluator = make_user("eve", ("*", "evaluator"))
    assert readable_run_files(coordinator, files) == ["report/index.html", "tables/bench-901-x.csv"]
    assert readable_run_files(other, files) == ["report/index.html"]
    assert readable_run_files(evaluator, files) == sorted(NAMES)


def test_a_row_level_download_is_audited_with_its_scope(run: AnalysisRun) -> None:
    client = sign_in(Client(), make_user("eve", ("*", "evaluator")))
    response = client.get(f"/analysis/{run.pk}/files/costs_workbook.xlsx")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="report.download")
    assert event.new_values == {"file": "costs_workbook.xlsx", "scope": "row_level"}
    assert client.get(f"/analysis/{run.pk}/files/unruled.txt").status_code == 404


def test_a_link_planted_in_the_output_is_not_served(run: AnalysisRun, tmp_path: Path) -> None:
    target = Path(run.folder) / "output" / "report" / "index.html"
    target.unlink()
    (tmp_path / "elsewhere.html").write_text("outside")
    target.symlink_to(tmp_path / "elsewhere.html")
    client = sign_in(Client(), make_user("eve", ("*", "evaluator")))
    assert client.get(f"/analysis/{run.pk}/files/report/index.html").status_code == 404
