"""Coded problems for user mistakes: what went wrong, where, and how to fix it.

Every check that reads a user's file reports :class:`Problem` objects rather than raising bare
exceptions. A problem names the file, the row or cell, the column, the offending value and a
stable code (``CSC-Ennnn``) that is listed, with its meaning, in ``docs/errors.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a user's input."""

    code: str
    message: str
    file: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    fix: str = ""
    sheet: str = ""
    cell: str = ""
    severity: str = "error"
    """``error`` rejects the input; ``warning`` is reported and the input is still used."""

    def where(self) -> str:
        """The location as a person reads it: ``data/sites.csv, row 4, column la_code``."""
        parts = [p for p in (self.file, self.sheet and f"sheet {self.sheet}") if p]
        if self.cell:
            parts.append(f"cell {self.cell}")
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def render(self) -> str:
        """One line for a terminal or a log."""
        text = (
            f"{self.code} {self.where()}: {self.message}"
            if self.where()
            else (f"{self.code} {self.message}")
        )
        if self.value:
            text += f" (value: {self.value!r})"
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


@dataclass
class InputError(Exception):
    """Raised when input is rejected; carries every problem found, not just the first."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found"
        return "\n".join([head, *(p.render() for p in self.problems)])

    @classmethod
    def of(cls, problems: Iterable[Problem]) -> InputError:
        return cls(list(problems))
