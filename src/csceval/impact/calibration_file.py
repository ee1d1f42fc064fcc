"""A project's own calibration file, ``impact_calibration.json``: reading and checking it.

Written by ``csceval impact calibrate-project DIR --write``
(:mod:`csceval.impact.project_calibration`); when present, the report quotes its sizes instead
of the shipped real-panel figures. It is checked when the project loads (CSC-E7107), so a
hand-edited or truncated file gives a coded message, never a traceback in the middle of a run.
"""

from __future__ import annotations

import json
from pathlib import Path

from csceval.errors import Problem
from csceval.impact.calibrate import METHODS

PROJECT_FILE = "impact_calibration.json"


def read_project_calibration(root: Path) -> dict[str, object] | None:
    """The project's own calibration, or None when it has none. Raises ``ValueError`` if the
    file is not a calibration (see :func:`check_calibration_file`)."""
    path = Path(root) / PROJECT_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    methods = data.get("methods") if isinstance(data, dict) else None
    if not isinstance(methods, dict):
        raise ValueError('no "methods" object')
    for name, entry in methods.items():
        sizes = entry.get("size") if isinstance(entry, dict) else None
        if name not in METHODS or not isinstance(sizes, dict):
            raise ValueError(f'method "{name}" is unknown or has no "size" object')
        bad = [k for k, v in sizes.items() if not isinstance(v, int | float) or not 0 <= v <= 1]
        if bad:
            raise ValueError(f'method "{name}": size of {bad[0]} is not a share between 0 and 1')
    result: dict[str, object] = data
    return result


def check_calibration_file(root: Path) -> list[Problem]:
    """Problems in the project's ``impact_calibration.json`` ([] when it has none or it is fine)."""
    try:
        read_project_calibration(root)
    except ValueError as exc:
        fix = "rewrite it with csceval impact calibrate-project DIR --write, or delete it"
        return [Problem("CSC-E7107", str(exc), file=PROJECT_FILE, fix=fix)]
    return []
