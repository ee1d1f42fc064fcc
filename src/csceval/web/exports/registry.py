"""The datasets evaluators can export: a small registry other apps add to.

An app describes each dataset once (its variables with label, type, unit, source, privacy class
and value labels) and gives a function that builds it for a list of LA codes (the user's scope).
The export service does the rest: disclosure control for aggregate datasets, de-identification,
the file formats, the codebook and the audit event. Call :func:`register_dataset` in the app's
``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from csceval.disclosure import ColumnRole


class Level(StrEnum):
    AGGREGATE = "aggregate"
    """One row per LA (and period): goes through disclosure control; ``export.aggregate``."""
    ROWLEVEL = "rowlevel"
    """One row per record: needs ``export.rowlevel`` and a stated purpose."""


class VarType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    CATEGORY = "category"
    """Text from a fixed list; written to .sav/.dta as integer codes with value labels."""


class Privacy(StrEnum):
    """How de-identification treats a variable (SEC-E3)."""

    NONE = "none"
    IDENTIFIER = "identifier"
    """Replaced by a per-export hash."""
    FREE_TEXT = "free_text"
    """Dropped."""
    DATE = "date"
    """Shifted by the record's offset (intervals within a record are kept)."""


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    type: VarType
    unit: str = ""
    source: str = ""
    privacy: Privacy = Privacy.NONE
    values: tuple[tuple[str, str], ...] = ()
    """For CATEGORY variables: (value, label) pairs in code order (code 1 is the first)."""
    role: ColumnRole = ColumnRole.LABEL
    """For aggregate datasets: how disclosure control treats the column."""


@dataclass(frozen=True)
class Dataset:
    id: str
    title: str
    description: str
    level: Level
    variables: tuple[Variable, ...]
    build: Callable[[Sequence[str]], pd.DataFrame]
    """Rows for the given LA codes, with one column per variable, in order."""
    record_key: str | None = None
    """The variable identifying a record; de-identified dates shift by one offset per record."""

    def variable(self, name: str) -> Variable:
        return next(v for v in self.variables if v.name == name)


_DATASETS: dict[str, Dataset] = {}


def register_dataset(dataset: Dataset) -> None:
    """Add a dataset (registering the same id again replaces it, e.g. on app reload)."""
    names = [v.name for v in dataset.variables]
    if len(set(names)) != len(names):
        raise ValueError(f"dataset {dataset.id!r}: variable names repeat")
    if dataset.record_key is not None and dataset.record_key not in names:
        raise ValueError(f"dataset {dataset.id!r}: record_key is not a variable")
    _DATASETS[dataset.id] = dataset


def datasets() -> list[Dataset]:
    return sorted(_DATASETS.values(), key=lambda d: d.title)


def dataset(dataset_id: str) -> Dataset | None:
    return _DATASETS.get(dataset_id)
