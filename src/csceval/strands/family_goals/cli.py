"""``csceval goals``: goal attainment T-scores from a goals file (the strand's CLI group).

Options are spelt as the shared ones of ``csceval.cli.options`` (a strand may not import the
CLI package): ``--json`` prints the full result as JSON. Mistakes end in coded messages
(CSC-E331x) and exit status 2, never a traceback.
"""

from __future__ import annotations

from pathlib import Path

import click

from csceval.errors import InputError
from csceval.strands.family_goals.goals_file import read_goals_file
from csceval.strands.family_goals.scoring import DEFAULT_RHO, RhoError, score
from csceval.terminal import fail, out, print_json


@click.group()
def goals() -> None:
    """Family goals: goal attainment scaling (Kiresuk-Sherman T-scores)."""


@goals.command("score")
@click.argument("goals_csv", metavar="GOALS.csv", type=click.Path(path_type=Path))
@click.option(
    "--rho",
    default=DEFAULT_RHO,
    show_default=True,
    type=float,
    help="Assumed correlation between a family's goals (0 to 1) in the T-score formula.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the full result as JSON on stdout (for scripts).",
)
def score_command(goals_csv: Path, rho: float, as_json: bool) -> None:
    """Each family's goal attainment T-score and the site summaries from GOALS.csv.

    GOALS.csv has one row per goal: family, goal, weight (above 0), rating (-2 to 2, blank when
    not rated) and optionally site. T = 50 + 10 sum(w x) / sqrt((1 - rho) sum(w^2) + rho
    (sum w)^2) over the rated goals.
    """
    try:
        frame = read_goals_file(goals_csv)
        result = score(frame, rho)
    except InputError as exc:
        fail(*exc.problems)
    except RhoError as exc:
        fail(exc.problem())
    families = result.families.rename(columns={"la_code": "site"})
    sites = result.sites.rename(columns={"la_code": "site"})
    if as_json:
        print_json(
            {
                "rho": result.rho,
                "families": families.to_dict("records"),
                "sites": sites.to_dict("records"),
            }
        )
        return
    out.print(f"Goal attainment T-scores (rho = {result.rho:g})", markup=False)
    for f in families.to_dict("records"):
        where = f"{f['site']} " if f["site"] else ""
        out.print(
            f"  {where}{f['family']}: T = {f['t_score']:.2f} ({f['n_rated']} of "
            f"{f['n_goals']} goals rated, {f['n_met']} met)",
            markup=False,
        )
    out.print("Sites:", markup=False)
    for s in sites.to_dict("records"):
        out.print(
            f"  {s['site'] or '(no site)'}: {s['n_families']} families, mean T = "
            f"{s['mean_t']:.2f} (95% CI {s['low_t']:.2f} to {s['high_t']:.2f}); "
            f"{100 * float(s['share_met']):.0f}% of {s['n_rated']} rated goals met; "
            f"{s['n_missing']} not rated",
            markup=False,
        )
