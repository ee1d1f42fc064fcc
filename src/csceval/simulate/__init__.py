"""Synthetic England: a complete, deterministic synthetic evaluation project.

:func:`simulate_project` writes an evaluation project folder (``evaluation.toml``, the ``data/``
tables, ``truth.json`` and a README) for ten fictional Signs of Safety pilots among ~150
fictional English LAs, calibrated on the real DfE LA panel (see
:mod:`csceval.simulate.calibration`). :func:`simulate_world` returns the same world in memory,
including the counterfactual panel (the same LAs without the framework) that recovery tests
compare estimators with.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from csceval.simulate import calibration
from csceval.simulate.world import Progress, World, simulate_world
from csceval.simulate.writer import project_files

__all__ = ["SimulationSummary", "World", "simulate_project", "simulate_world"]


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


def _is_synthetic_project(folder: Path) -> bool:
    try:
        raw = tomllib.loads((folder / "evaluation.toml").read_text(encoding="utf-8"))
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
    (``evaluation.toml`` with ``synthetic = true``), else :class:`FileExistsError`. Files are
    written to a temporary folder first and then moved in, so a failure leaves no half-written
    project; files in ``out`` that the simulator does not write are left alone.
    """
    out = Path(out)
    _check_target(out)
    world = simulate_world(seed, progress)
    if progress:
        progress("writing files", 0.8)
    files, n_rows, n_suppressed = project_files(world)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
        for relative in files:
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
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
