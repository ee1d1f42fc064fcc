"""Shared fixtures: paths to the project fixtures and to ../shared/data."""

from __future__ import annotations

import csv
import fcntl
import io
import os
import pickle
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from csceval.pipeline import Evaluation
    from csceval.project import Project

# No Hypothesis deadlines anywhere: a shared 2-core machine can stall any example for seconds,
# and a timing failure says nothing about correctness (examples stay bounded by max_examples).
settings.register_profile("csceval", deadline=None, print_blob=True)
settings.load_profile("csceval")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def _impact_calibration(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every run draws the impact strand's design calibration: here one draw (a test that needs
    more sets its own), cached in the session's temporary folder, never in ~/.cache."""
    os.environ["CSCEVAL_CACHE_DIR"] = str(tmp_path_factory.mktemp("csceval-cache"))
    os.environ.setdefault("CSCEVAL_CALIBRATION_DRAWS", "1")


SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def valid_project() -> Path:
    return FIXTURES / "valid_project"


Simulated = Callable[[int], Path]
Loaded = Callable[[], "Project"]


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]
) -> Path:
    """A folder ``build(folder)`` fills once for the whole test session, however many xdist
    workers need it: they share the session's base temporary folder, the first to take the
    lock builds, and the others wait for it (they would otherwise build the same thing).
    Read-only for every test."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if worker else base) / "built-once"
    root.mkdir(parents=True, exist_ok=True)
    folder, done = root / name, root / f"{name}.done"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a half-built folder of a failed build
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Simulated:
    """The simulated project of a seed, made once per test session and seed (shared by the
    xdist workers, :func:`built_once`).

    Read-only: a test that changes a file copies the folder first (``shutil.copytree``).
    Simulating takes seconds (the child-level returns most of it), and a dozen modules need one.
    """
    from csceval.pipeline import simulate_project

    def project(seed: int) -> Path:
        def build(folder: Path) -> None:
            simulate_project(folder / "project", seed=seed)

        return built_once(tmp_path_factory, f"simulated-{seed}", build) / "project"

    return project


QUICK_PLAN = {"indicators": '["cla_rate_per_10k"]', "estimators": '["descriptive", "did"]'}
QUICK_INDICATORS = frozenset({"cla_rate_per_10k", "cla_count_31mar", "population_0_17"})
"""The indicator values a quick project keeps: the plan's one indicator, its count and the
rate denominator (a seventh of the simulated 52,000 rows, so importing it takes a second)."""


@pytest.fixture(scope="session")
def quick_simulated(simulated: Simulated, tmp_path_factory: pytest.TempPathFactory) -> Simulated:
    """The simulated project of a seed with its plan cut to one indicator and the fast
    estimators, and its indicator values to :data:`QUICK_INDICATORS`: for tests of the plumbing
    (web runs, imports), where a whole analysis would only take time. Read-only, made once per
    test process and seed."""
    made: dict[int, Path] = {}

    def project(seed: int) -> Path:
        if seed not in made:
            folder = tmp_path_factory.mktemp(f"quick-{seed}") / "project"
            shutil.copytree(simulated(seed), folder)
            plan = folder / "evaluation.toml"
            text = plan.read_text(encoding="utf-8")
            for key, value in QUICK_PLAN.items():
                text = re.sub(rf"{key} = \[[^\]]*\]", f"{key} = {value}", text, count=1)
            plan.write_text(text, encoding="utf-8")
            values = folder / "data" / "indicators.csv"
            header, *rows = values.read_text(encoding="utf-8").splitlines(keepends=True)
            column = next(csv.reader([header])).index("indicator")  # quoted commas split right
            kept = [r for r, cells in zip(rows, csv.reader(rows), strict=True)
                    if cells[column] in QUICK_INDICATORS]  # fmt: skip
            values.write_text(header + "".join(kept), encoding="utf-8")
            made[seed] = folder
        return made[seed]

    return project


@pytest.fixture(scope="session")
def demo_project(simulated: Simulated) -> Path:
    """The embedded synthetic evaluation (seed 2018), read-only (see ``simulated``)."""
    return simulated(2018)


@pytest.fixture(scope="session")
def demo_run(demo_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's output folder, written once per test session (:func:`built_once`) as a user
    writes it: ``csceval run --quiet``, with ``--pdf`` when WeasyPrint can lay the print edition
    out. Read-only. Its project is ``demo_project``."""
    from click.testing import CliRunner

    from csceval.cli import main
    from csceval.report.pdf import pdf_available

    def build(folder: Path) -> None:
        pdf = ["--pdf"] if pdf_available() else []
        args = ["run", str(demo_project), "--out", str(folder / "output"), "--quiet", *pdf]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output

    return built_once(tmp_path_factory, "demo-run", build) / "output"


class _StrandPickler(pickle.Pickler):
    """Pickles a strand as its id: strands are the registry's singletons (and hold lambdas)."""

    def persistent_id(self, obj: Any) -> str | None:
        from csceval.strands.strand import Strand

        return obj.id if isinstance(obj, Strand) else None


class _StrandUnpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        from csceval.registry import strand

        return strand(str(pid))


@pytest.fixture(scope="session")
def demo_evaluation(demo_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    """``csceval.evaluate(demo_project)``: the first xdist worker analyses and pickles it, every
    worker reads it (:func:`built_once`). Read-only; an analysis separate from ``demo_run``'s
    (``test_api`` compares the two reports byte for byte)."""
    import csceval

    def build(folder: Path) -> None:
        buffer = io.BytesIO()
        _StrandPickler(buffer).dump(csceval.evaluate(demo_project))
        (folder / "evaluation.pickle").write_bytes(buffer.getvalue())

    data = built_once(tmp_path_factory, "demo-evaluation", build) / "evaluation.pickle"
    evaluation: Evaluation = _StrandUnpickler(io.BytesIO(data.read_bytes())).load()
    return evaluation


@pytest.fixture(scope="session")
def demo_loaded(demo_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    """``load_project(demo_project)`` for a test module: loaded and pickled once per test
    session (:func:`built_once`), unpickled afresh at each call, so every module still holds a
    ``Project`` of its own, as when it loaded it (a load takes 1.6 s, an unpickling 0.1 s)."""
    from csceval.pipeline import load_project

    def build(folder: Path) -> None:
        buffer = io.BytesIO()
        _StrandPickler(buffer).dump(load_project(demo_project))
        (folder / "project.pickle").write_bytes(buffer.getvalue())

    data = (built_once(tmp_path_factory, "demo-loaded", build) / "project.pickle").read_bytes()

    def load() -> Project:
        project: Project = _StrandUnpickler(io.BytesIO(data)).load()
        return project

    return load


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: skipped on a user's clone, required in CI."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared data folder is missing: {SHARED_DATA}")
        pytest.skip(f"needs the shared data folder {SHARED_DATA} (not part of a user's clone)")
    return SHARED_DATA


LONGEST_FIRST = (
    "browser",
    "tests/web/test_evaluation.py",
    "tests/integration/test_toy_strand.py",
    "tests/unit/test_output_scopes.py",
    "tests/web/test_access_matrix.py",
    "tests/integration/test_report_demo.py",
    "tests/unit/test_api.py",
    "tests/unit/test_api_docs.py",
    "tests/web/test_runs_durable.py",
    "tests/unit/test_project_calibration.py",
)
"""Work units that start first under pytest-xdist (``make test``), longest first."""


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    """Every test that drives the real server process (fixture ``server``) is a browser journey.

    ``make unit-postgres`` leaves them out (``-m "not browser"``): they check pages and flows,
    which the SQLite run covers, and each of their database calls is made by the web tests that
    do run on PostgreSQL.

    Work units for pytest-xdist's ``--dist loadgroup`` (``make test``): a test module is one
    unit (its module fixtures are built once), except the browser journeys, which are one unit
    together: one worker runs them all against one server, waiting on Chromium and the server
    most of the time, while the other runs the CPU-bound tests. The marks are set before the
    other hooks run (xdist reads them); after them (pytest-django orders database tests first),
    :data:`LONGEST_FIRST` units are moved to the front, so that none of them is left to run
    alone at the end (with ``--no-loadscope-reorder``: xdist would otherwise order units by
    their number of tests).
    """
    for item in items:
        if "server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        unit = "browser" if item.get_closest_marker("browser") else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(unit))
    yield
    rank = {unit: i for i, unit in enumerate(LONGEST_FIRST)}

    def order(item: pytest.Item) -> int:
        marker = item.get_closest_marker("xdist_group")
        return rank.get(marker.args[0] if marker else "", len(rank))

    items.sort(key=order)  # stable: the other units keep their order
