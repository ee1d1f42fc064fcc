"""A site's benchmarks page serves the latest finished run's page for that LA (issue 15, item 6).

The run folders here are written the way a run writes them (:func:`csceval.atomic.staged_folder`
with each file's scope from :func:`csceval.pipeline.run.scope_record`), with small pages; the
real pipeline's page is served in tests/web/test_evaluation.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from case_audit_helpers import OTHER, OWN, evaluation
from django.test import Client
from web_helpers import make_user, sign_in

from csceval.atomic import staged_folder
from csceval.pipeline.run import scope_record
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.evaluation.models import AnalysisRun

pytestmark = pytest.mark.django_db

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{la}: benchmarks</title>
<style>body {{ margin: 0; }}</style><link rel="icon" href="data:,"></head><body>
<a href="#main-content">Skip</a><a href="index.html">Summary</a>
<a href="https://www.gov.uk/">GOV.UK</a><main id="main-content"><h1>{la}: benchmarks ({tag})</h1>
<a href="../tables/bench-{la}-cla_rate_per_10k.csv">Download the table</a></main></body></html>
"""


def finished_run(root: Path, tag: str, las: tuple[str, ...]) -> AnalysisRun:
    """A finished run whose output holds a benchmarks page (and its table) for each of ``las``."""
    with staged_folder(root / "output", describe=scope_record) as staging:
        (staging / "report").mkdir()
        (staging / "tables").mkdir()
        (staging / "report/index.html").write_text("<p>Summary</p>")
        for la in las:
            (staging / f"report/benchmarks-{la}.html").write_text(PAGE.format(la=la, tag=tag))
            (staging / f"tables/bench-{la}-cla_rate_per_10k.csv").write_text("year,la\n2019,1\n")
    return AnalysisRun.objects.create(status=AnalysisRun.Status.DONE, folder=str(root))


def test_the_page_is_the_latest_runs_file_for_that_la_cached_and_scoped(tmp_path: Path) -> None:
    evaluation()
    coordinator = sign_in(Client(), make_user("coord", (OWN, "la_coordinator")))
    url = f"/sites/{OWN}/benchmarks/"

    before = coordinator.get(url)
    assert before.status_code == 200
    assert "No analysis run has finished yet" in before.content.decode()

    AnalysisRun.objects.create(status=AnalysisRun.Status.FAILED, folder=str(tmp_path / "x"))
    first = finished_run(tmp_path / "first", "first", (OWN,))
    page = coordinator.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"{OWN}: benchmarks (first)" in html
    assert "script-src" not in page["Content-Security-Policy"]
    assert "'sha256-" in page["Content-Security-Policy"]
    # Links lead to the run's files, each served by its own scope.
    table = f"/analysis/{first.pk}/files/tables/bench-{OWN}-cla_rate_per_10k.csv"
    assert f'href="{table}"' in html
    assert f'href="/analysis/{first.pk}/files/report/index.html"' in html
    assert 'href="#main-content"' in html
    assert 'href="https://www.gov.uk/"' in html
    assert 'href="data:,"' in html
    assert coordinator.get(table).status_code == 200
    event = AuditEvent.objects.filter(action="report.view", object_type="site_benchmarks").last()
    assert event is not None
    assert event.new_values == {"analysis_run": first.pk}

    # Kept in memory by run: the file is read once per run, not per request.
    (tmp_path / f"first/output/report/benchmarks-{OWN}.html").write_text("changed")
    assert f"{OWN}: benchmarks (first)" in coordinator.get(url).content.decode()

    # A newer finished run replaces it; an LA it has no page for gets a clear page.
    second = finished_run(tmp_path / "second", "second", (OWN,))
    assert f"{OWN}: benchmarks (second)" in coordinator.get(url).content.decode()
    evaluator = sign_in(Client(), make_user("eve", ("*", "evaluator")))
    missing = evaluator.get(f"/sites/{OTHER}/benchmarks/")
    assert missing.status_code == 200
    assert f"The latest finished analysis run (run {second.pk}) published no" in (
        missing.content.decode()
    )
    assert coordinator.get(f"/sites/{OTHER}/benchmarks/").status_code == 404


def test_a_page_whose_manifest_scope_is_wrong_is_not_served(tmp_path: Path) -> None:
    evaluation()
    run = finished_run(tmp_path / "run", "run", (OWN,))
    manifest = tmp_path / "run/output/manifest.json"
    text = manifest.read_text()
    assert f'"la_code": "{OWN}"' in text
    manifest.write_text(text.replace(f'"la_code": "{OWN}"', f'"la_code": "{OTHER}"'))
    coordinator = sign_in(Client(), make_user("coord", (OWN, "la_coordinator")))
    page = coordinator.get(f"/sites/{OWN}/benchmarks/").content.decode()
    assert f"run {run.pk}) published no benchmarks" in page
