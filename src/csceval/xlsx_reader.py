"""Reading one worksheet of a user's Excel workbook, bounded before anything is unpacked.

An ``.xlsx`` file is a zip of XML parts, so a few kilobytes can declare a sheet of 100,000 rows
by 16,384 columns (openpyxl pads every row to the declared width: gigabytes of memory), or
unpack to gigabytes (a zip bomb). Every workbook csceval reads goes through :func:`read_sheet`,
which refuses, with a coded problem naming the file, before openpyxl parses a cell:

- a file larger than ``max_bytes``, or one that is not a zip (``unreadable_code``);
- an archive with more than ``max_members`` parts, more than ``max_unpacked`` bytes unpacked,
  or a part compressed more than ``max_ratio`` to one (CSC-E2030);
- a sheet whose declared dimension exceeds ``max_rows`` or ``max_columns`` (CSC-E2031).

The sheet is then read in openpyxl's read-only mode, values only (formulas are never
evaluated), with ``max_row``/``max_col`` given to the parser, so a sheet that declares no
dimension, or a false one, is still read only as far as the limits. Trailing empty rows are
dropped.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csceval.errors import InputError, Problem

WORKBOOK_REFUSED = "CSC-E2030"
SHEET_TOO_LARGE = "CSC-E2031"


@dataclass(frozen=True)
class XlsxLimits:
    """What a workbook may hold before it is refused unread (defaults fit every csceval input)."""

    max_bytes: int = 20 * 1024 * 1024
    max_members: int = 200
    max_unpacked: int = 200 * 1024 * 1024
    max_ratio: int = 200
    max_rows: int = 200_000
    max_columns: int = 500


DEFAULT_LIMITS = XlsxLimits()


@dataclass(frozen=True)
class Sheet:
    """One worksheet's values: ``rows[0]`` is spreadsheet row 1; cells are openpyxl values."""

    file: str
    name: str
    rows: list[tuple[Any, ...]]
    sheet_names: tuple[str, ...]


def read_sheet(
    source: bytes | Path,
    *,
    file: str,
    sheet: str | Sequence[str] | None = None,
    limits: XlsxLimits = DEFAULT_LIMITS,
    unreadable_code: str = WORKBOOK_REFUSED,
) -> Sheet:
    """The values of ``sheet`` (the first of the names that exists; the first sheet if None).

    Raises :class:`InputError` with one coded problem when the file is refused or unreadable;
    a missing sheet is ``unreadable_code`` too, naming the sheets the workbook has.
    """
    with open_workbook(source, file=file, limits=limits, unreadable_code=unreadable_code) as book:
        wanted = [sheet] if isinstance(sheet, str) else list(sheet or book.sheet_names[:1])
        found = next((n for n in wanted if n in book.sheet_names), None)
        if found is None:
            raise _refuse(
                unreadable_code,
                file,
                f"the workbook has no sheet {' or '.join(map(repr, wanted))}",
                fix=f"Its sheets are: {', '.join(book.sheet_names) or 'none'}.",
            )
        return book.sheet(found)


class BoundedWorkbook:
    """An open workbook whose sheets are read within the limits (see :func:`open_workbook`)."""

    def __init__(self, book: Any, file: str, limits: XlsxLimits, unreadable_code: str) -> None:
        self._book = book
        self.file = file
        self.limits = limits
        self.unreadable_code = unreadable_code
        self.sheet_names: tuple[str, ...] = tuple(book.sheetnames)

    def sheet(self, name: str) -> Sheet:
        """The values of sheet ``name`` (which must exist), dimension-checked and bounded."""
        ws = self._book[name]
        _check_dimension(ws, self.file, name, self.limits)
        declared = ws.max_column  # openpyxl pads every row to max_col: the declared width
        try:
            rows = [
                tuple(r)
                for r in ws.iter_rows(
                    max_row=self.limits.max_rows,
                    max_col=declared or self.limits.max_columns,
                    values_only=True,
                )
            ]
        except Exception as error:  # openpyxl raises many types for a damaged part
            raise _refuse(
                self.unreadable_code, self.file, f"sheet {name!r} cannot be read ({error})"
            ) from error
        while rows and all(v is None or v == "" for v in rows[-1]):
            rows.pop()
        if not declared:  # padded to the limit: cut to the widest row's last value
            width = max((_last_value(r) for r in rows), default=0)
            rows = [r[:width] for r in rows]
        return Sheet(self.file, name, rows, self.sheet_names)


@contextmanager
def open_workbook(
    source: bytes | Path,
    *,
    file: str,
    limits: XlsxLimits = DEFAULT_LIMITS,
    unreadable_code: str = WORKBOOK_REFUSED,
) -> Iterator[BoundedWorkbook]:
    """The workbook, once its size and archive are within ``limits``; closed on exit."""
    data = _bytes(source, file, limits, unreadable_code)
    _check_archive(data, file, limits, unreadable_code)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged part
        raise _refuse(
            unreadable_code, file, f"the file cannot be read as a workbook ({error})"
        ) from error
    try:
        yield BoundedWorkbook(book, file, limits, unreadable_code)
    finally:
        book.close()


def _bytes(source: bytes | Path, file: str, limits: XlsxLimits, code: str) -> bytes:
    if isinstance(source, bytes):
        size = len(source)
    else:
        try:
            size = source.stat().st_size
        except OSError as error:
            raise _refuse(code, file, f"the file cannot be opened ({error.strerror})") from error
    if size > limits.max_bytes:
        raise _refuse(
            WORKBOOK_REFUSED,
            file,
            f"the workbook is {size:,} bytes; csceval reads at most {limits.max_bytes:,}",
            fix="Check that this is the right file; save the sheet on its own if it is.",
        )
    if isinstance(source, bytes):
        return source
    try:
        return source.read_bytes()
    except OSError as error:
        raise _refuse(code, file, f"the file cannot be read ({error.strerror})") from error


def _check_archive(data: bytes, file: str, limits: XlsxLimits, code: str) -> None:
    if not data.startswith(b"PK\x03\x04"):
        raise _refuse(code, file, "the file is not an Excel workbook (.xlsx)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as error:
        raise _refuse(code, file, f"the workbook is damaged ({error})") from error
    unpacked = sum(i.file_size for i in infos)
    squeezed = [
        i.filename for i in infos if i.file_size > limits.max_ratio * max(i.compress_size, 1)
    ]
    if len(infos) > limits.max_members or unpacked > limits.max_unpacked or squeezed:
        detail = (
            f"part {squeezed[0]!r} is compressed more than {limits.max_ratio} to 1"
            if squeezed
            else f"{len(infos)} parts, {unpacked:,} bytes unpacked"
        )
        raise _refuse(
            WORKBOOK_REFUSED,
            file,
            f"the workbook is too large when unpacked ({detail}); csceval reads at most "
            f"{limits.max_members} parts and {limits.max_unpacked:,} bytes",
            fix="Save the sheet on its own, without pictures or extra sheets.",
        )


def _check_dimension(ws: Any, file: str, name: str, limits: XlsxLimits) -> None:
    rows, columns = ws.max_row or 0, ws.max_column or 0
    if rows > limits.max_rows or columns > limits.max_columns:
        raise InputError(
            [
                Problem(
                    SHEET_TOO_LARGE,
                    f"the sheet declares {rows:,} rows by {columns:,} columns; csceval reads at "
                    f"most {limits.max_rows:,} rows and {limits.max_columns} columns",
                    file=file,
                    sheet=name,
                    fix="Delete the empty rows and columns below and to the right of the data "
                    "(a stray value far away makes the whole sheet that large), or copy the data "
                    "to a new workbook.",
                )
            ]
        )


def _last_value(row: tuple[Any, ...]) -> int:
    return next((i + 1 for i in range(len(row) - 1, -1, -1) if row[i] not in (None, "")), 0)


UNREADABLE_FIX = "Save the file as an Excel workbook (.xlsx) and try again."


def _refuse(code: str, file: str, message: str, fix: str = UNREADABLE_FIX) -> InputError:
    return InputError([Problem(code, message, file=file, fix=fix)])
