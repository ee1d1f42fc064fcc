"""``csceval reliability``: one inter-rater reliability statistic from a CSV of ratings.

Long layout: one row per unit, rater and rating (columns ``unit``, ``rater``, ``value`` by
default). Wide layout: one row per unit, one column per rater. ``--layout auto`` picks long when
the three long columns are present. Mistakes end in coded messages (CSC-E72xx), exit status 2.
"""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from csceval.cli.options import json_option, seed_option
from csceval.errors import Problem
from csceval.reliability.dispatch import METHODS, compute
from csceval.reliability.layout import from_wide, ratings_matrix
from csceval.terminal import fail, out, print_json


@click.command()
@click.argument("ratings", type=click.Path(path_type=Path))
@click.option(
    "--method", required=True, type=click.Choice(METHODS), help="The statistic to compute."
)
@click.option("--level", help="Krippendorff: nominal, ordinal, interval or ratio.")
@click.option("--weights", help="Kappa/Gwet/Fleiss weights: unweighted, linear, quadratic.")
@click.option(
    "--layout",
    type=click.Choice(["auto", "long", "wide"]),
    default="auto",
    show_default=True,
    help="Long (unit, rater, value rows) or wide (a column per rater); auto: long when the "
    "three long columns exist.",
)
@click.option("--unit", default="unit", show_default=True, help="Unit column.")
@click.option("--rater", default="rater", show_default=True, help="Rater column (long layout).")
@click.option("--value", default="value", show_default=True, help="Rating column (long layout).")
@click.option("--categories", help="Ordered category labels, comma-separated (text ratings).")
@click.option("--ci", is_flag=True, help="Add a confidence interval.")
@click.option(
    "--bootstrap",
    "n_boot",
    default=1000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Bootstrap draws for the --ci interval (statistics without an analytic interval).",
)
@seed_option(0, help="Random seed of the bootstrap.")
@json_option
def reliability(
    ratings: Path,
    method: str,
    level: str | None,
    weights: str | None,
    layout: str,
    unit: str,
    rater: str,
    value: str,
    categories: str | None,
    ci: bool,
    n_boot: int,
    seed: int,
    as_json: bool,
) -> None:
    """Inter-rater reliability of the ratings CSV RATINGS (long or wide layout)."""
    try:
        data = pd.read_csv(ratings, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        fail(Problem("CSC-E7201", f"cannot read the ratings as CSV ({exc})", file=str(ratings)))
    long = layout == "long" or (layout == "auto" and {unit, rater, value} <= set(data.columns))
    needed = (unit, rater, value) if long else (unit,)
    for column in needed:
        if column not in data.columns:
            fail(
                Problem(
                    "CSC-E7202",
                    "column not in the ratings file",
                    file=str(ratings),
                    column=column,
                    fix=f"the columns are {', '.join(map(str, data.columns))}; name yours "
                    "with --unit/--rater/--value",
                )
            )
    labels = [c.strip() for c in categories.split(",")] if categories else None
    try:
        matrix = (
            ratings_matrix(data, unit, rater, value, categories=labels)
            if long
            else from_wide(data, unit, categories=labels)
        )
        result = compute(
            matrix, method, level=level, weights=weights, ci=ci, n_boot=n_boot, seed=seed
        )
    except ValueError as exc:
        fail(Problem("CSC-E7203", f"cannot compute {method}: {exc}", file=str(ratings)))
    if as_json:
        print_json(result.to_dict())
        return
    interval = (
        f" (95% CI {result.ci_low:.3f} to {result.ci_high:.3f}, {result.ci_method})"
        if result.ci_low is not None and result.ci_high is not None
        else ""
    )
    out.print(
        f"{result.statistic} = {result.estimate:.4f}{interval}; {result.n_units} units, "
        f"{result.n_raters} raters",
        markup=False,
    )
    for note in result.notes:
        out.print(f"  note: {note}", markup=False)
