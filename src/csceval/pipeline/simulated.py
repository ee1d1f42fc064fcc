"""Write synthetic England as a whole evaluation project: core files, every strand's, the truth."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csceval.atomic import staged_folder
from csceval.project.documents import parse_toml
from csceval.registry import registered_strands
from csceval.simulate import calibration
from csceval.simulate.truth import truth
from csceval.simulate.world import Progress, World, simulate_world
from csceval.simulate.writer import core_files


@dataclass(frozen=True, slots=True)
class SimulationSummary:
    """What :func:`simulate_project` wrote."""

    out: Path
    seed: int
    n_las: int
    n_pilots: int
    years: tuple[int, int]
    n_indicator_rows: int
    n_suppressed_cells: int


def project_truth(world: World) -> dict[str, Any]:
    """``truth.json``: the core truth, then each strand's under its key, in registry order."""
    whole = truth(world)
    for strand in registered_strands():
        part = strand.simulate
        if part is not None and part.truth is not None:
            whole[part.truth_key or strand.id] = part.truth(world)
    return whole


def project_files(world: World) -> tuple[dict[str, str], int, int]:
    """Every file of the project by relative path; plus indicator rows and suppressed cells."""
    files, n_rows, n_suppressed = core_files(world)
    for strand in registered_strands():
        if strand.simulate is not None:
            files.update(strand.simulate.files(world))
    files["truth.json"] = json.dumps(project_truth(world), indent=2, ensure_ascii=False) + "\n"
    return files, n_rows, n_suppressed


def _is_synthetic_project(folder: Path) -> bool:
    try:
        raw = parse_toml((folder / "evaluation.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    evaluation = raw.get("evaluation")
    return isinstance(evaluation, dict) and evaluation.get("synthetic") is True


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not _is_synthetic_project(out):
        raise FileExistsError(
            f"{out} is not empty and is not a synthetic project (no evaluation.toml with "
            "synthetic = true); refusing to overwrite it"
        )


def simulate_project(
    out: Path, seed: int = 2018, progress: Progress | None = None
) -> SimulationSummary:
    """Simulate synthetic England and write it as an evaluation project folder ``out``.

    ``out`` is created; an existing folder must be empty or a previous synthetic project
    (``evaluation.toml`` with ``synthetic = true``), else :class:`FileExistsError`. The project
    is written into a temporary sibling, with its manifest last, and renamed into place
    (:func:`csceval.atomic.staged_folder`): Ctrl-C or a kill leaves the old project or none,
    and a rerun replaces the whole folder (no stale files).
    """
    out = Path(out)
    _check_target(out)
    world = simulate_world(seed, progress)
    if progress:
        progress("writing files", 0.8)
    files, n_rows, n_suppressed = project_files(world)
    with staged_folder(out) as staging:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
    if progress:
        progress("done", 1.0)
    return SimulationSummary(
        out=out,
        seed=seed,
        n_las=len(world.geography.las),
        n_pilots=len(world.design.pilots),
        years=(calibration.FIRST_YEAR, calibration.LAST_YEAR),
        n_indicator_rows=n_rows,
        n_suppressed_cells=n_suppressed,
    )
