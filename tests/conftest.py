"""Shared fixtures: paths to the project fixtures and to ../shared/data."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

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


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Simulated:
    """The simulated project of a seed, made once per test process and seed.

    Read-only: a test that changes a file copies the folder first (``shutil.copytree``).
    Simulating takes seconds (the child-level returns most of it), and a dozen modules need one.
    """
    from csceval.pipeline import simulate_project

    made: dict[int, Path] = {}

    def project(seed: int) -> Path:
        if seed not in made:
            folder = tmp_path_factory.mktemp(f"simulated-{seed}") / "project"
            simulate_project(folder, seed=seed)
            made[seed] = folder
        return made[seed]

    return project


QUICK_PLAN = {"indicators": '["cla_rate_per_10k"]', "estimators": '["descriptive", "did"]'}


@pytest.fixture(scope="session")
def quick_simulated(simulated: Simulated, tmp_path_factory: pytest.TempPathFactory) -> Simulated:
    """The simulated project of a seed with its plan cut to one indicator and the fast
    estimators: for tests of the plumbing (web runs, imports), where a whole analysis would
    only take time. Read-only, made once per test process and seed."""
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
            made[seed] = folder
        return made[seed]

    return project


@pytest.fixture(scope="session")
def demo_project(simulated: Simulated) -> Path:
    """The embedded synthetic evaluation (seed 2018), read-only (see ``simulated``)."""
    return simulated(2018)


@pytest.fixture(scope="session")
def demo_run(demo_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's output folder (``csceval run`` of ``demo_project``), written once per test
    process; read-only. Its project is ``demo_project``."""
    from csceval.pipeline import run_project

    out = tmp_path_factory.mktemp("demo-run") / "output"
    run_project(demo_project, out)
    return out


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data: skipped on a user's clone, required in CI."""
    if not SHARED_DATA.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared data folder is missing: {SHARED_DATA}")
        pytest.skip(f"needs the shared data folder {SHARED_DATA} (not part of a user's clone)")
    return SHARED_DATA


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that drives the real server process (fixture ``server``) is a browser journey.

    ``make unit-postgres`` leaves them out (``-m "not browser"``): they check pages and flows,
    which the SQLite run covers, and each of their database calls is made by the web tests that
    do run on PostgreSQL.
    """
    for item in items:
        if "server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
