"""Declared table schemas: every column's type, unit, allowed values and privacy class.

A project's ``data/`` tables are CSV files whose columns are declared here in code, so that
validation, documentation (``docs/formats.md``) and the web platform's import all read one source.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class PrivacyClass(StrEnum):
    """How sensitive a column is (UK GDPR / ICO pseudonymisation guidance)."""

    DIRECT_IDENTIFIER = "direct_identifier"
    QUASI_IDENTIFIER = "quasi_identifier"
    SPECIAL_CATEGORY = "special_category"
    FREE_TEXT = "free_text"
    NONE = "none"


class ColumnType(StrEnum):
    """The value types a column can hold."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    LA_CODE = "la_code"
    DFE_VALUE = "dfe_value"


DFE_SYMBOLS = frozenset({"c", "x", "z", "k", "u", "low", ":", "~", "-"})
"""Symbols DfE and GSS files print in place of a number (suppressed, not available, ...)."""

LA_CODE_PATTERN = re.compile(r"^\d{3}$")


@dataclass(frozen=True, slots=True)
class Column:
    """One declared column of a project table."""

    name: str
    type: ColumnType
    description: str
    unit: str = ""
    required: bool = True
    allowed: tuple[str, ...] = ()
    privacy: PrivacyClass = PrivacyClass.NONE
    minimum: float | None = None


@dataclass(frozen=True, slots=True)
class TableSchema:
    """A declared project table: its file, its columns and the columns that identify a row."""

    name: str
    file: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = True
    notes: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _parse_integer(text: str) -> int:
    if not re.fullmatch(r"-?[0-9]+", text):  # ASCII digits only (int() takes any script's)
        raise ValueError("not a whole number")
    return int(text)


def _parse_number(text: str) -> float:
    """A finite decimal number in ASCII digits: float() would also take "inf", "nan", "1_000",
    "1e400" (which overflows to infinity) and other scripts' digits, none a value in a table."""
    if not _NUMBER.fullmatch(text):
        raise ValueError("not a number")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _parse_date(text: str) -> date:
    return date.fromisoformat(text)


def _parse_la_code(text: str) -> str:
    if not LA_CODE_PATTERN.match(text):
        raise ValueError("not a 3-digit DfE LA code")
    return text


def _parse_dfe_value(text: str) -> float | str:
    if text in DFE_SYMBOLS:
        return text
    return _parse_number(text)


PARSERS: dict[ColumnType, Callable[[str], object]] = {
    ColumnType.TEXT: str,
    ColumnType.INTEGER: _parse_integer,
    ColumnType.NUMBER: _parse_number,
    ColumnType.DATE: _parse_date,
    ColumnType.LA_CODE: _parse_la_code,
    ColumnType.DFE_VALUE: _parse_dfe_value,
}

TYPE_HELP: dict[ColumnType, str] = {
    ColumnType.TEXT: "any text",
    ColumnType.INTEGER: "a whole number, e.g. 42",
    ColumnType.NUMBER: "a number, e.g. 41.7",
    ColumnType.DATE: "a date as YYYY-MM-DD, e.g. 2018-04-01",
    ColumnType.LA_CODE: "the 3-digit DfE LA number, e.g. 871",
    ColumnType.DFE_VALUE: "a number, or a DfE symbol (c, x, z, k, u, low, :, ~, -)",
}
