"""The installable packages: `pip install csceval` (core and CLI) and `pip install "csceval[web]"`.

Every third-party package the source imports must be declared in pyproject.toml: imports outside
csceval.web in [project].dependencies, imports in csceval.web there or in the ``web`` extra. The
one exception is the CLI (csceval.cli), which mounts the web commands: it may import a package of
the ``web`` extra lazily, inside a function, so that the core CLI runs without it. Every
non-Python file in the package must be matched by [tool.setuptools.package-data]. The wheel itself
is built, installed without Django and run by ``make wheel`` (.ci/wheel-check).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "csceval"
WEB = PACKAGE / "web"
CLI = PACKAGE / "cli"

# Import name -> distribution name, where the two differ beyond case and "_" vs "-".
DISTRIBUTION = {
    "yaml": "PyYAML",
    "django_otp": "django-otp",
    "axes": "django-axes",
    "csp": "django-csp",
    "django_htmx": "django-htmx",
    "govuk_frontend_jinja": "govuk-frontend-jinja",
    "argon2": "argon2-cffi",
    "psycopg": "psycopg",
    "dateutil": "python-dateutil",
    "PIL": "pillow",
    "sklearn": "scikit-learn",
    "attr": "attrs",
}


def normalise(name: str) -> str:
    """PEP 503 form of a distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


def distribution(import_name: str) -> str:
    return normalise(DISTRIBUTION.get(import_name, import_name))


def requirement_names(requirements: Iterable[str]) -> set[str]:
    """``"psycopg[binary]>=3.2"`` -> ``{"psycopg"}``."""
    names = set()
    for requirement in requirements:
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        assert match, f"cannot read the requirement {requirement!r}"
        names.add(normalise(match.group(1)))
    return names


def top_level_imports(tree: ast.AST, *, lazy: bool | None = None) -> set[str]:
    """Top-level names of the absolute imports: all of them (``lazy=None``), only those inside a
    function (``lazy=True``) or only those run on import of the module (``lazy=False``)."""
    names: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if lazy is None or lazy == in_function:
                if isinstance(child, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in child.names)
                elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                    names.add(child.module.split(".")[0])
            nested = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, in_function or nested)

    visit(tree, False)
    return names


def third_party_imports(files: Iterable[Path], *, lazy: bool | None = None) -> dict[str, set[str]]:
    """Distribution name -> the files (relative to src/) that import it."""
    found: dict[str, set[str]] = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name in top_level_imports(tree, lazy=lazy):
            if name in sys.stdlib_module_names or name in {"csceval", "__future__"}:
                continue
            rel = path.relative_to(PACKAGE.parent).as_posix()
            found.setdefault(distribution(name), set()).add(rel)
    return found


def undeclared(imports: dict[str, set[str]], declared: set[str]) -> list[str]:
    return [
        f"{dist} (imported by {', '.join(sorted(files))})"
        for dist, files in sorted(imports.items())
        if dist not in declared
    ]


@pytest.fixture(scope="module")
def pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="module")
def core_dependencies(pyproject: dict) -> set[str]:
    return requirement_names(pyproject["project"]["dependencies"])


@pytest.fixture(scope="module")
def web_dependencies(pyproject: dict) -> set[str]:
    return requirement_names(pyproject["project"]["optional-dependencies"]["web"])


@pytest.fixture(scope="module")
def pdf_dependencies(pyproject: dict) -> set[str]:
    return requirement_names(pyproject["project"]["optional-dependencies"]["pdf"])


@pytest.fixture(scope="module")
def cluster_dependencies(pyproject: dict) -> set[str]:
    return requirement_names(pyproject["project"]["optional-dependencies"]["cluster"])


def core_files() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if WEB not in p.parents]


def cli_files() -> list[Path]:
    return [p for p in core_files() if CLI in p.parents or p == CLI.with_suffix(".py")]


def web_files() -> list[Path]:
    return sorted(WEB.rglob("*.py"))


def test_the_source_is_found() -> None:
    assert len(core_files()) > 20
    assert len(web_files()) > 5


def test_core_imports_are_core_dependencies(
    core_dependencies: set[str], pdf_dependencies: set[str], cluster_dependencies: set[str]
) -> None:
    """Imports run when a core module loads are core dependencies; one inside a function may
    also be of the ``pdf`` extra (WeasyPrint, only for ``--pdf``) or the ``cluster`` extra
    (Dask, only for ``--scheduler``)."""
    cli = set(cli_files())
    library = [p for p in core_files() if p not in cli]
    imports = third_party_imports(library, lazy=False)
    imports |= third_party_imports(cli, lazy=False)
    missing = undeclared(imports, core_dependencies)
    extras = pdf_dependencies | cluster_dependencies
    lazy = undeclared(third_party_imports(library, lazy=True), core_dependencies | extras)
    assert not missing + lazy, "add to pyproject.toml: " + "; ".join(missing + lazy)


def test_the_cli_imports_the_web_extra_only_lazily(
    core_dependencies: set[str], web_dependencies: set[str]
) -> None:
    """``csceval --help`` and ``csceval demo`` run without csceval[web] installed."""
    imports = third_party_imports(cli_files(), lazy=True)
    missing = undeclared(imports, core_dependencies | web_dependencies)
    assert not missing, "add to pyproject.toml: " + "; ".join(missing)


def test_web_imports_are_core_or_web_dependencies(
    core_dependencies: set[str], web_dependencies: set[str]
) -> None:
    imports = third_party_imports(web_files())
    missing = undeclared(imports, core_dependencies | web_dependencies)
    assert not missing, "add to the web extra in pyproject.toml: " + "; ".join(missing)


def test_every_core_dependency_is_used_by_the_core(core_dependencies: set[str]) -> None:
    """A core dependency nothing outside csceval.web imports belongs in an extra (e.g. Django)."""
    cli = set(cli_files())
    used = set(third_party_imports([p for p in core_files() if p not in cli]))
    used |= set(third_party_imports(cli, lazy=False))
    unused = core_dependencies - used
    assert not unused, f"not imported outside csceval.web; move to an extra: {sorted(unused)}"


def test_the_web_platform_is_an_extra(
    core_dependencies: set[str], web_dependencies: set[str]
) -> None:
    assert "django" not in core_dependencies
    assert "django" in web_dependencies


def test_every_data_file_is_package_data(pyproject: dict) -> None:
    """Every non-Python file in src/csceval goes into the wheel (templates, TOML, JSON, ...)."""
    patterns = pyproject["tool"]["setuptools"]["package-data"]["csceval"]
    included = {path for pattern in patterns for path in PACKAGE.glob(pattern) if path.is_file()}
    data = [
        path
        for path in PACKAGE.rglob("*")
        if path.is_file()
        and path.suffix not in {".py", ".pyc"}
        and "__pycache__" not in path.parts
        and not path.name.startswith(".")
    ]
    assert data, "no data files found: has the package moved?"
    missing = sorted(p.relative_to(PACKAGE).as_posix() for p in data if p not in included)
    assert not missing, f"not matched by [tool.setuptools.package-data]: {missing}"
