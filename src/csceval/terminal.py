"""What every command prints: results to stdout, coded problems to stderr, exit 2 on failure.

Also the two progress bars the commands draw on stderr (``-q/--quiet`` turns them off) and the
JSON that ``--json`` prints.
"""

from __future__ import annotations

import errno
import json
import math
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, Protocol

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from csceval.errors import InputError, Problem

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


@contextmanager
def reported() -> Iterator[None]:
    """Turn an :class:`InputError` raised inside into its coded problems and exit status 2."""
    try:
        yield
    except InputError as exc:
        fail(*exc.problems)


def fail_line(problem: Problem) -> NoReturn:
    """Report one problem as a single line on stderr and exit with status 2."""
    err.print(problem.render(), markup=False, soft_wrap=True)
    sys.exit(2)


def cannot_write(target: Path, exc: OSError) -> Problem:
    """A coded problem for an output (a folder or a file) that cannot be written."""
    return Problem(
        "CSC-E5002",
        f"cannot write the output ({exc.strerror or exc})",
        file=str(exc.filename or target),
        fix="choose a folder you can write to (not an existing file)",
    )


def check_file_out(target: Path) -> None:
    """Fail now (CSC-E5002), before any work, when ``target`` cannot be written as a file: it is
    a folder, the nearest existing folder above it is a file, or that folder is not writable."""
    above = next((p for p in target.absolute().parents if p.exists()), None)
    code = (
        errno.EISDIR if target.is_dir()
        else errno.ENOTDIR if above is not None and not above.is_dir()
        else errno.EACCES if above is None or not os.access(above, os.W_OK | os.X_OK)
        else 0
    )  # fmt: skip
    if code:
        fail(cannot_write(target, OSError(code, os.strerror(code), str(target))))


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, float], None]]:
    """A progress callback ``(step, fraction)`` drawn as a bar on stderr when ``enabled``."""
    if not enabled:
        yield lambda step, fraction: None
        return
    with Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=1.0)

        def update(step: str, fraction: float) -> None:
            bar.update(task, description=step, completed=fraction)

        yield update


class Tick(Protocol):
    """A count progress callback: ``tick(done)`` or ``tick(done, new_description)``."""

    def __call__(self, done: int, step: str | None = None, /) -> None: ...


@contextmanager
def count_bar(enabled: bool, description: str, total: int | None) -> Iterator[Tick]:
    """A progress callback ``(done, description=None)`` counting draws or seeds up to ``total``
    (``None``: unknown), drawn on stderr when ``enabled``."""
    with Progress(console=err, transient=True, disable=not enabled) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int, step: str | None = None) -> None:
            if step is None:
                bar.update(task, completed=done)
            else:
                bar.update(task, completed=done, description=step)

        yield update


def json_text(result: Any) -> str:
    """Indented JSON with sorted keys; NaN and infinities are written as null."""

    def clean(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value

    return json.dumps(clean(result), indent=2, sort_keys=True, default=str)


def print_json(result: Any) -> None:
    """Print ``result`` as JSON on stdout (what ``--json`` prints)."""
    out.print(json_text(result), markup=False, soft_wrap=True)
