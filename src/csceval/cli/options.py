"""The options every command spells the same way: ``-q/--quiet``, ``--out``, ``--json``, ``--seed``.

Each is a decorator, so a command cannot drift from the shared name, help text or default display.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from csceval.executor import require_dask
from csceval.terminal import reported

F = TypeVar("F", bound=Callable[..., Any])


def quiet_option(function: F) -> F:
    """``-q/--quiet``: no progress bar."""
    return click.option("-q", "--quiet", is_flag=True, help="No progress bar.")(function)


def json_option(function: F) -> F:
    """``--json``: the full result as machine-readable JSON on stdout (parameter ``as_json``)."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print the full result as JSON on stdout (for scripts).",
    )(function)


def seed_option(
    default: int, help: str = "Random seed (the same seed, the same result)."
) -> Callable[[F], F]:
    """``--seed N``: the random seed, with its default shown."""
    return click.option("--seed", default=default, show_default=True, type=int, help=help)


def out_option(
    help: str, *, required: bool = True, default: Path | None = None
) -> Callable[[F], F]:
    """``--out PATH``: where the command writes (parameter ``out``)."""
    return click.option(
        "--out",
        "out",
        required=required and default is None,
        default=default,
        show_default=default is not None,
        type=click.Path(path_type=Path),
        metavar="PATH",
        help=help,
    )


def panel_options(outcome: bool = True) -> Callable[[F], F]:
    """``--data``, ``--unit``, ``--time`` (and ``--outcome``): the panel every command reads."""

    def decorate(function: F) -> F:
        if outcome:
            function = click.option(
                "--outcome", required=True, help="Column of the outcome to analyse."
            )(function)
        for option in (  # applied last to first, so that --help lists --data first
            click.option(
                "--time", "time_col", required=True, help="Column of the integer period (year)."
            ),
            click.option(
                "--unit", required=True, help="Column naming the unit (e.g. state, la_code)."
            ),
            click.option(
                "--data",
                "path",
                required=True,
                type=click.Path(path_type=Path),
                metavar="CSV",
                help="The long-format panel: a CSV with one row per unit and period.",
            ),
        ):
            function = option(function)
        return function

    return decorate


def treated_options(function: F) -> F:
    """``--treated`` (repeat) with ``--start``, or ``--group``: which units are treated and from
    when (:func:`csceval.impact.panel_io.adoption_from` checks that one way is used)."""
    for option in (  # applied last to first, so that --help lists --treated first
        click.option(
            "--group", help="Instead of --treated: column of the first treated period, 0 = never."
        ),
        click.option("--start", type=int, help="First treated period of the --treated units."),
        click.option(
            "--treated", multiple=True, help="A treated unit's label (repeat for several)."
        ),
    ):
        function = option(function)
    return function


def _scheduler_installed(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    """Fail at once (CSC-E5007) when ``--scheduler`` is given without the cluster extra."""
    if value is not None:
        with reported():
            require_dask()
    return value


def executor_options(function: F) -> F:
    """``--jobs N`` and ``--scheduler ADDRESS``: where a study's tasks run (csceval.executor)."""
    function = click.option(
        "--scheduler",
        metavar="ADDRESS",
        callback=_scheduler_installed,
        help="Run the tasks on this Dask scheduler (tcp://HOST:PORT; needs the cluster extra) "
        "instead of local processes.",
    )(function)
    return click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Local worker processes (without --scheduler).",
    )(function)
