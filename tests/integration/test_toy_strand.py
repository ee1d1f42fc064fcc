"""A strand added from outside: no edit to any shared file, and it runs everywhere.

A toy "home visits" strand is written into a temporary package with a table, a check with its
own error code, a simulator part with truth, ``analyse``, ``render`` and a web page, and it is
registered only through a ``csceval.strands`` entry point (a ``.dist-info`` folder beside it on
``PYTHONPATH``). Fresh processes then simulate, validate, run, generate the docs and run the
access-matrix test with it; each step must show the toy strand.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

STRAND = '''
"""A toy strand: home visits per pilot (a test of the strand registry)."""

from collections.abc import Mapping

import pandas as pd

from csceval.disclosure import DisclosurePolicy, protect
from csceval.disclosure.policy import ColumnRole, PublishedColumn, TableSpec
from csceval.errors import Problem
from csceval.project import EvaluationSettings
from csceval.project.schema import Column, ColumnType, TableSchema
from csceval.report.model import Finding, Section, TableBlock
from csceval.simulate.world import World
from csceval.strands import SimulatorPart, Strand, StrandInputs, WebApp

VISITS = TableSchema(
    name="toy_visits",
    file="data/toy_visits.csv",
    description="Home visits made by each pilot in a year (toy strand).",
    key=("la_code",),
    required=False,
    columns=(
        Column("la_code", ColumnType.LA_CODE, "The pilot's DfE LA number."),
        Column("visits", ColumnType.INTEGER, "Home visits in the year."),
    ),
)


def check(settings: EvaluationSettings, tables: Mapping[str, pd.DataFrame]) -> list[Problem]:
    frame = tables["toy_visits"]
    return [
        Problem("CSC-E9901", "more visits than a year allows", file=VISITS.file, row=i + 2,
                column="visits", value=str(v))
        for i, v in enumerate(frame["visits"]) if v > 1000
    ]


def simulate_files(world: World) -> dict[str, str]:
    rows = "".join(f"{p.la_code},{100 + i}\\n" for i, p in enumerate(world.design.pilots))
    return {VISITS.file: "la_code,visits\\n" + rows}


def simulate_truth(world: World) -> dict[str, int]:
    return {"total_visits": sum(100 + i for i in range(len(world.design.pilots)))}


def analyse(inputs: StrandInputs) -> pd.DataFrame:
    return inputs.table("toy_visits").sort_values("la_code").reset_index(drop=True)


def render(result: pd.DataFrame, policy: DisclosurePolicy) -> Section:
    spec = TableSpec(columns=(
        PublishedColumn("la_code", "LA", ColumnRole.LABEL),
        PublishedColumn("visits", "Home visits", ColumnRole.COUNT),
    ))
    table = TableBlock(id="toy-visits-by-la", title="Home visits by pilot",
                       table=protect(result, spec, policy), source="Toy strand.")
    total = int(result["visits"].sum())
    return Section(id="toy-visits", title="Home visits (toy strand)",
                   summary="How many home visits each pilot made.",
                   findings=(Finding(f"The pilots made {total} home visits in all."),),
                   blocks=(table,))


STRAND = Strand(
    id="toy-visits",
    title="Home visits (toy strand)",
    available=lambda inputs: not inputs.table("toy_visits").empty,
    analyse=analyse,
    render=render,
    tables=(VISITS,),
    checks=check,
    error_codes={"CSC-E9901": "Toy visits: more visits than a year allows."},
    error_range=(9900, 9999),
    simulate=SimulatorPart(files=simulate_files, truth=simulate_truth, truth_key="toy_visits"),
    web=WebApp(app="toy_visits.web", url_prefix="toy-visits/"),
)
'''

WEB = {
    "web/__init__.py": '"""The toy strand\'s web page."""\n',
    "web/apps.py": """
        from django.apps import AppConfig


        class ToyConfig(AppConfig):
            name = "toy_visits.web"
            label = "toy_visits"
        """,
    "web/views.py": """
        from django.http import HttpRequest, HttpResponse

        from csceval.web.permissions import Verb, authorize


        def site(request: HttpRequest, la_code: str) -> HttpResponse:
            authorize(request.user, Verb.SITE_VIEW, la_code)
            return HttpResponse(f"Home visits of {la_code}")
        """,
    "web/urls.py": """
        from django.urls import path

        from toy_visits.web import views

        app_name = "toy_visits"
        urlpatterns = [path("<str:la_code>/", views.site, name="site")]
        """,
    "web/access.py": """
        from csceval.web.access import Route
        from csceval.web.permissions import Verb

        ROUTES = {
            "toy_visits:site": Route(Verb.SITE_VIEW, "object", lambda ctx, la: {"la_code": la}),
        }


        def objects(sites):
            return {}
        """,
}


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the toy package and its entry point, to put on PYTHONPATH."""
    base = tmp_path_factory.mktemp("plugin")
    package = base / "toy_visits"
    (package / "web").mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(STRAND), encoding="utf-8")
    for name, text in WEB.items():
        (package / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    info = base / "toy_visits-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-visits\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[csceval.strands]\ntoy-visits = toy_visits:STRAND\n")
    return base


def _run(plugin: Path, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(plugin), str(ROOT / "src")])}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=600
    )


@pytest.fixture(scope="module")
def project(plugin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("toy") / "project"
    done = _run(plugin, "-m", "csceval.cli", "simulate", "--out", str(out), "--seed", "7", "-q")
    assert done.returncode == 0, done.stderr
    return out


def test_the_simulator_writes_the_strands_files_and_truth(project: Path) -> None:
    assert (project / "data" / "toy_visits.csv").read_text().startswith("la_code,visits\n")
    truth = json.loads((project / "truth.json").read_text())
    assert truth["toy_visits"]["total_visits"] == sum(100 + i for i in range(10))


def test_validate_applies_the_strands_table_and_check(plugin: Path, project: Path) -> None:
    assert _run(plugin, "-m", "csceval.cli", "validate", str(project)).returncode == 0
    broken = project.parent / "broken"
    subprocess.run(["cp", "-r", str(project), str(broken)], check=True)
    table = broken / "data" / "toy_visits.csv"
    lines = table.read_text().splitlines()
    code = lines[1].split(",")[0]
    table.write_text("\n".join([lines[0], f"{code},5000", *lines[2:]]) + "\n")
    done = _run(plugin, "-m", "csceval.cli", "validate", str(broken))
    assert done.returncode == 2
    assert "CSC-E9901" in done.stdout + done.stderr
    assert "5000" in done.stdout + done.stderr


def test_run_reports_the_strand_with_provenance(plugin: Path, project: Path) -> None:
    """The plan is cut to one indicator and the fast estimators (the toy strand does not
    depend on them), so the run takes seconds."""
    fast = project.parent / "fast"
    shutil.copytree(project, fast)
    plan = fast / "evaluation.toml"
    text = plan.read_text()
    text = re.sub(r"indicators = \[[^\]]*\]", 'indicators = ["cla_rate_per_10k"]', text, count=1)
    plan.write_text(re.sub(r"estimators = \[[^\]]*\]", 'estimators = ["descriptive", "did"]', text))
    out = project.parent / "output"
    done = _run(plugin, "-m", "csceval.cli", "run", str(fast), "--out", str(out), "-q")
    assert done.returncode == 0, done.stderr
    assert "Home visits (toy strand)" in (out / "report" / "index.html").read_text()  # nav
    html = (out / "report" / "toy-visits.html").read_text(encoding="utf-8")
    assert "Home visits (toy strand)" in html
    assert "The pilots made 1045 home visits in all." in html
    assert (out / "tables" / "toy-visits-by-la.csv").is_file()
    inputs = json.loads((out / "provenance.json").read_text())["inputs"]
    assert "data/toy_visits.csv" in inputs


def test_the_generated_docs_list_its_table_and_error_code(plugin: Path) -> None:
    code = (
        "from csceval.docgen import formats_page, errors_page; "
        "print(formats_page()); print(errors_page())"
    )
    done = _run(plugin, "-c", code)
    assert done.returncode == 0, done.stderr
    assert "## `data/toy_visits.csv` (optional)" in done.stdout
    assert "Declared by the toy-visits strand." in done.stdout
    assert "| `CSC-E9901` | Toy visits: more visits than a year allows. |" in done.stdout


def test_the_access_matrix_covers_its_web_page(plugin: Path) -> None:
    done = _run(
        plugin,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nomigrations",  # tables straight from the models: the matrix needs no triggers
        "tests/web/test_access_matrix.py",
        "-k",
        "toy_visits or every_url_pattern",
    )
    assert done.returncode == 0, done.stdout[-3000:]
    # the completeness test, and the page's test (every actor, own and other LA)
    assert "2 passed" in done.stdout, done.stdout[-2000:]
