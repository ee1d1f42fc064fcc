"""import-project contained (issue 15 item 5): no symbolic links followed, nothing read from
outside the project folder, and a re-import into a platform in use keeps the LAs' data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csceval.errors import InputError
from csceval.web.evaluation.models import EvaluationSetup, ProjectFile, Site
from csceval.web.evaluation.project_io import import_project
from csceval.web.implementation.models import SelfProfile
from csceval.web.returns.models import PilotReturn

pytestmark = pytest.mark.django_db
VALID = Path(__file__).resolve().parents[1] / "fixtures" / "valid_project"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(VALID, root)
    return root


def _codes(caught: pytest.ExceptionInfo[InputError]) -> list[tuple[str, str]]:
    return [(p.code, p.file) for p in caught.value.problems]


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_a_symbolic_link_refuses_the_import_and_nothing_is_read(
    project: Path, tmp_path: Path, kind: str
) -> None:
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "passwd").write_text("root:x:0:0:SECRET-OUTSIDE-THE-PROJECT\n")
    link = project / "data" / ("notes.txt" if kind == "file" else "more")
    link.symlink_to(secret / "passwd" if kind == "file" else secret)
    with pytest.raises(InputError) as caught:
        import_project(project, actor="test")
    where = "data/notes.txt" if kind == "file" else "data/more"
    assert _codes(caught) == [("CSC-E6053", where)]
    assert "symbolic link" in caught.value.problems[0].message
    assert not ProjectFile.objects.exists()
    assert not Site.objects.exists()


def test_other_files_inside_the_folder_are_kept(project: Path) -> None:
    (project / "notes").mkdir()
    (project / "notes" / "plan.txt").write_text("our plan\n")
    (project / ".hidden").write_text("skipped\n")
    import_project(project, actor="test")
    assert list(ProjectFile.objects.values_list("path", flat=True)) == ["notes/plan.txt"]


def _in_use(project: Path) -> dict[str, object]:
    """The project imported, then an LA's return and self-profile recorded in the platform."""
    import_project(project, actor="test")
    site = Site.objects.get(la_code="402")
    made = {
        "return": PilotReturn.objects.create(site=site, year=2026),
        "profile": SelfProfile.objects.create(site=site, time_point="T1"),
    }
    return made


def test_a_reimport_updates_the_plan_and_keeps_returns_and_profiles(project: Path) -> None:
    made = _in_use(project)
    plan = project / "evaluation.toml"
    plan.write_text(plan.read_text().replace('name = "Brackenmoor"', 'name = "Brackenmoor LA"'))
    import_project(project, actor="test")
    assert Site.objects.get(la_code="402").name == "Brackenmoor LA"
    assert PilotReturn.objects.get().pk == made["return"].pk  # type: ignore[attr-defined]
    assert SelfProfile.objects.get().site.la_code == "402"


def test_dropping_a_site_that_holds_data_says_what_blocks_it(project: Path) -> None:
    _in_use(project)
    before = EvaluationSetup.objects.get().settings_json
    plan = project / "evaluation.toml"
    text = plan.read_text()
    plan.write_text(text[: text.index('[[sites]]\nla_code = "402"')])
    with pytest.raises(InputError) as caught:
        import_project(project, actor="test")
    (problem,) = caught.value.problems
    assert (problem.code, problem.value) == ("CSC-E6054", "402")
    assert "1 returns" in problem.message
    assert "1 self profiles" in problem.message
    assert Site.objects.filter(la_code="402").exists()  # nothing changed
    assert EvaluationSetup.objects.get().settings_json == before
