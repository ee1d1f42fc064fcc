"""Write :class:`EvaluationSettings` back out as ``evaluation.toml``.

Python has a TOML reader but no writer; the settings hold only strings, numbers, booleans,
dates, lists of those, tables and arrays of tables, so a small writer covers them. Reading the
output back with :func:`tomllib.loads` gives the same settings (tested).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from csceval.project.settings import EvaluationSettings


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):  # tuples: e.g. analysis.baseline_years
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as a TOML value")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table(name: str, table: dict[str, Any], lines: list[str], *, array: bool = False) -> None:
    lines += ["", f"[[{name}]]" if array else f"[{name}]"]
    nested: list[tuple[str, Any]] = []
    for key, value in table.items():
        if value is None:
            continue
        if isinstance(value, dict) or _is_table_array(value):
            nested.append((key, value))
        else:
            lines.append(f"{key} = {_value(value)}")
    for key, value in nested:
        if isinstance(value, dict):
            _table(f"{name}.{key}", value, lines)
        else:
            for item in value:
                _table(f"{name}.{key}", item, lines, array=True)


def settings_to_toml(settings: EvaluationSettings, *, header: str = "") -> str:
    """The settings as TOML text, sections in the model's field order, ``None`` left out."""
    data = settings.model_dump()
    lines = [f"# {line}" for line in header.splitlines()]
    top_tables: list[tuple[str, Any]] = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, dict) or _is_table_array(value):
            top_tables.append((key, value))
        else:
            lines.append(f"{key} = {_value(value)}")
    for key, value in top_tables:
        if isinstance(value, dict):
            _table(key, value, lines)
        else:
            for item in value:
                _table(key, item, lines, array=True)
    return "\n".join(lines).lstrip("\n") + "\n"
