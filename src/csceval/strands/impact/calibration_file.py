"""A project's own calibration file, ``impact_calibration.json``: reading and checking it.

Written by ``csceval impact calibrate-project DIR --write``
(:mod:`csceval.strands.impact.project_calibration`); when present, the report quotes its sizes
instead of the shipped real-panel figures. It is a declared file of the impact strand, parsed
and checked when the project loads (CSC-E7107), so a
hand-edited or truncated file gives a coded message, never a traceback in the middle of a run.
"""

from __future__ import annotations

import json

from csceval.errors import InputError, Problem
from csceval.impact.calibrate import ALL_METHODS
from csceval.project.documents import parse_json

PROJECT_FILE = "impact_calibration.json"


def parse_project_calibration(data: bytes, file: str = PROJECT_FILE) -> dict[str, object]:
    """The project's own calibration from the file's bytes; :class:`InputError` (CSC-E7107) if
    the file is not a calibration. The project loader calls this (a declared file)."""
    try:
        return _calibration(data)
    except ValueError as exc:
        fix = "rewrite it with csceval impact calibrate-project DIR --write, or delete it"
        raise InputError([Problem("CSC-E7107", str(exc), file=file, fix=fix)]) from None


def _calibration(raw: bytes) -> dict[str, object]:
    try:
        data = parse_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    methods = data.get("methods") if isinstance(data, dict) else None
    if not isinstance(methods, dict):
        raise ValueError('no "methods" object')
    for name, entry in methods.items():
        sizes = entry.get("size") if isinstance(entry, dict) else None
        if name not in ALL_METHODS or not isinstance(sizes, dict):
            raise ValueError(f'method "{name}" is unknown or has no "size" object')
        bad = [k for k, v in sizes.items() if not isinstance(v, int | float) or not 0 <= v <= 1]
        if bad:
            raise ValueError(f'method "{name}": size of {bad[0]} is not a share between 0 and 1')
    result: dict[str, object] = data
    return result
