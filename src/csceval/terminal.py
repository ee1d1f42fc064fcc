"""What every command prints: results to stdout, coded problems to stderr, exit 2 on failure."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from rich.console import Console

from csceval.errors import Problem

out = Console(highlight=False, soft_wrap=True)  # paths and summaries stay on one line
err = Console(stderr=True, highlight=False)
MAX_SHOWN = 60


def show_problems(problems: Sequence[Problem], limit: int = MAX_SHOWN) -> None:
    """Print coded problems with a count, and how many were left unshown."""
    failing = [p for p in problems if p.severity == "error"]
    err.print(f"[bold red]{len(failing)} problem{'s' if len(failing) != 1 else ''} found[/]")
    for problem in problems[:limit]:
        err.print(problem.render(), markup=False, soft_wrap=True)
    if len(problems) > limit:
        err.print(f"... and {len(problems) - limit} more (use --all to list every one)")


def fail(*problems: Problem, limit: int = MAX_SHOWN) -> NoReturn:
    """Report the problems and exit with status 2 (a user's mistake, never a traceback)."""
    show_problems(problems, limit)
    sys.exit(2)


def cannot_write(target: Path, exc: OSError) -> Problem:
    """A coded problem for an output (a folder or a file) that cannot be written."""
    return Problem(
        "CSC-E5002",
        f"cannot write the output ({exc.strerror or exc})",
        file=str(exc.filename or target),
        fix="choose a folder you can write to (not an existing file)",
    )
