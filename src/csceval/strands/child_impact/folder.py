"""From a project's child-level returns to the result: read (or reuse the store), match, estimate.

This is what ``csceval impact child-did DIR`` runs; it writes the result's aggregates to
``child_impact.json``, which the strand's section reports (the strand's ``analyse`` never reads
the returns: it is pure, and the returns of a whole country are far larger than a declared
project file may be).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from csceval.atomic import write_file
from csceval.errors import InputError, Problem
from csceval.executor import map_tasks
from csceval.project import EvaluationSettings, Site
from csceval.project.checks import CORE_ESTIMATORS
from csceval.project.comparators import adopters
from csceval.project.load import load_settings
from csceval.project.read import empty_frame, read_table
from csceval.project.tables import FRAMEWORK_REGISTER, FRAMEWORK_SCOPING
from csceval.strands.child_impact.estimate import METHODS, NULL_DRAWS, estimate_child_impact
from csceval.strands.child_impact.pseudonym import Pseudonymiser
from csceval.strands.child_impact.result import ChildImpactResult, result_from_json
from csceval.strands.child_impact.returns import find_returns, return_files
from csceval.strands.child_impact.store import build_cohorts, cached_cohorts
from csceval.terminal import json_text

RESULT_FILE = "child_impact.json"
Progress = Callable[[str, float], None]


def adoption_year(start: dt.date) -> int:
    """The collection year (ending 31 March) that contains ``start``."""
    return start.year + 1 if start.month >= 4 else start.year


@dataclass(frozen=True)
class _Sites:
    """The part of a project that :func:`adopters` reads (settings and the register)."""

    settings: EvaluationSettings
    tables: Mapping[str, pd.DataFrame]

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def pilots(self) -> list[Site]:
        return self.settings.sites_with_role("pilot", "exited")


def project_sites(
    root: Path, estimators: tuple[str, ...] = ()
) -> tuple[dict[str, dt.date], set[str]]:
    """The pilots (with their implementation starts) and every other adopter of the project.

    Reads only ``evaluation.toml`` and the framework register (not the whole project, so a
    stale ``child_impact.json`` never stops it being rewritten). Adopters as in
    :func:`csceval.project.comparators.adopters`: pilots, exited pilots, contrast sites, sites
    using one of the frameworks, and LAs the register records as users by the period's end."""
    settings, problems = load_settings(Path(root), CORE_ESTIMATORS + estimators)
    errors = [p for p in problems if p.severity == "error"]
    if settings is None or errors:
        raise InputError(errors or problems)
    pilots = {
        s.la_code: s.implementation_start
        for s in settings.sites_with_role("pilot", "exited")
        if s.implementation_start is not None
    }
    tables = {}
    for schema in (FRAMEWORK_REGISTER, FRAMEWORK_SCOPING):
        frame, problems = read_table(Path(root), schema)
        if problems:
            raise InputError(problems)
        tables[schema.name] = frame if frame is not None else empty_frame(schema)
    others = adopters(_Sites(settings, tables))
    return pilots, others


def read_cohorts(
    root: Path,
    keep: Collection[str],
    pseudo: Pseudonymiser,
    progress: Progress | None = None,
    jobs: int = 1,
) -> tuple[pd.DataFrame, dict[str, int], int]:
    """Cohorts of the LAs in ``keep`` that have returns, counts dropped, and how many LAs came
    from the store.

    LAs whose store is current are read from it here; the others are read and built in
    ``jobs`` worker processes (:func:`csceval.executor.map_tasks`; each LA is independent, so
    the result does not depend on ``jobs``). The pseudonymisation key reaches a worker through
    its pipe, in memory, as it does this process; it is never written."""
    report = progress or (lambda step, fraction: None)
    found = {la: years for la, years in find_returns(root).items() if la in keep}
    got: dict[str, tuple[pd.DataFrame, dict[str, int]]] = {}
    for la, years in sorted(found.items()):
        cached = cached_cohorts(root, la, years)
        if cached is not None:
            got[la] = cached
    reused = len(got)
    stale = [
        (Path(root), la, years, pseudo) for la, years in sorted(found.items()) if la not in got
    ]
    total = max(len(found), 1)

    def tick(done: int) -> None:
        report(f"reading the returns of {len(stale)} LAs", 0.6 * (reused + done) / total)

    try:
        built = map_tasks(_build, stale, jobs=jobs if len(stale) > 1 else 1, progress=tick)
    except _ReturnsError as exc:
        raise InputError(exc.problems) from None
    got.update(zip((item[1] for item in stale), built, strict=True))
    dropped: dict[str, int] = {}
    for la in sorted(got):
        for key, n in got[la][1].items():
            dropped[key] = dropped.get(key, 0) + n
    frames = [got[la][0] for la in sorted(got)]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return frame, dropped, reused


class _ReturnsError(Exception):
    """An LA's returns are invalid: an :class:`InputError` that survives a worker's pickling."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


def _build(
    item: tuple[Path, str, Mapping[int, Path], Pseudonymiser],
) -> tuple[pd.DataFrame, dict[str, int]]:
    """One LA's cohorts from its returns (a task of :func:`read_cohorts`)."""
    try:
        return build_cohorts(*item)
    except InputError as exc:
        raise _ReturnsError(exc.problems) from None


def child_impact_from_folder(
    root: Path,
    pilots: Mapping[str, dt.date],
    other_adopters: Collection[str],
    pseudo: Pseudonymiser,
    *,
    reps: int = 9999,
    seed: int = 2018,
    methods: Sequence[str] = METHODS,
    progress: Progress | None = None,
    jobs: int = 1,
    null_draws: int = NULL_DRAWS,
) -> tuple[ChildImpactResult, int]:
    """The result for the project at ``root`` and how many LAs' cohorts came from the store.

    ``pilots`` maps each adopting site to its implementation start; LAs with returns that are
    neither pilots nor ``other_adopters`` are the comparators. ``jobs``: worker processes
    reading the returns (see :func:`read_cohorts`); ``null_draws``: worlds drawn on the design to
    calibrate the verdicts (:func:`~.estimate.estimate_child_impact`)."""
    root = Path(root)
    every = set(find_returns(root))
    keep = every - (set(other_adopters) - set(pilots))
    cohorts, dropped, reused = read_cohorts(root, keep, pseudo, progress, jobs)
    adoption = {la: adoption_year(start) for la, start in pilots.items() if la in keep}
    has = set(cohorts["la_code"]) if len(cohorts) else set()
    if not has & set(adoption) or not has - set(adoption):
        raise InputError(
            [
                Problem(
                    "CSC-E3803",
                    f"cohorts found for {len(has & set(adoption))} pilot and "
                    f"{len(has - set(adoption))} comparator LAs; both are needed",
                    file=str(root / "child_level"),
                    fix="Each LA needs returns of a cohort year and of the years before and after.",
                )
            ]
        )
    sub = _scaled(progress, 0.6, 1.0)
    result = estimate_child_impact(
        cohorts,
        adoption,
        reps=reps,
        seed=seed,
        methods=methods,
        dropped=dropped,
        progress=sub,
        null_draws=null_draws,
    )
    return replace(result, inputs=input_hashes(root, keep)), reused


def input_hashes(root: Path, keep: Collection[str]) -> dict[str, str]:
    """SHA-256 of every return file of the LAs in ``keep`` (paths relative to ``root``)."""
    hashes = {}
    for la, years in find_returns(root).items():
        if la in keep:
            for folder in years.values():
                for path in return_files(folder):
                    with path.open("rb") as f:  # in chunks: a national return is large
                        digest = hashlib.file_digest(f, "sha256").hexdigest()
                    hashes[path.relative_to(root).as_posix()] = digest
    return hashes


def _scaled(progress: Progress | None, lo: float, hi: float) -> Progress | None:
    if progress is None:
        return None
    report = progress
    return lambda step, fraction: report(step, lo + (hi - lo) * fraction)


def result_bytes(result: ChildImpactResult) -> bytes:
    """``child_impact.json``: the result's aggregates (NaN written as null)."""
    return json_text(result.to_json()).encode("utf-8")


def write_result(root: Path, result: ChildImpactResult) -> Path:
    """Write ``child_impact.json`` into the project (aside, then renamed into place)."""
    return write_file(Path(root) / RESULT_FILE, result_bytes(result))


def parse_result(data: bytes, file: str = RESULT_FILE) -> ChildImpactResult:
    """The declared file's parser: CSC-E3805 when it is not a result csceval wrote."""
    try:
        return result_from_json(json.loads(data.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise InputError(
            [
                Problem(
                    "CSC-E3805",
                    f"not a child-level impact result: {exc}",
                    file=file,
                    fix="Rewrite it with csceval impact child-did DIR.",
                )
            ]
        ) from None
