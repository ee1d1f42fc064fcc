"""Synthetic family goals and ratings with a known truth (clearly synthetic: no real family).

At each framework (pilot) and contrast site of the synthetic world, 10-15 families are
followed up at the last fieldwork time point (T2), their goals set after the first (T1). Each
family has 3-5 goals: the first from the plan, then the worker's and the parent's stated goals
(at least one of each), importance weights 1-3.

Attainment is latent: goal ``g`` of family ``f`` at site ``j`` has ``a = mu_j + u_f + e_g`` with
``mu_j = N(0, site_sd) + effect [framework site]``, ``u_f ~ N(0, family_sd)``,
``e_g ~ N(0, goal_sd)``. A rater with bias ``b`` (worker ``worker_bias``, parent
``parent_bias``) reads ``y = a + b + N(0, noise_sd)`` and records the nearest level, clipped to
-2 ... +2 (cut-points at +-0.5, +-1.5). A rating is blank with probability ``missing_rate``; a
share ``double_share`` of the rating forms is entered twice, each value mistyped (another
level) with probability ``entry_error``.

Goal texts are synthetic phrasings of a few themes; a worker goal shares the theme of a parent
goal with probability ``shared_theme`` (concordant goals for the similarity check).

The truth (``truth.json`` under ``family_goals``): the site means, each site's expected family
T-score per rater (rho = 0.3; Monte Carlo over ``truth_families`` families per site, from a
separate stream), the framework-minus-contrast difference of the means of expected site
T-scores per rater, and the population parent-worker Krippendorff alpha (ordinal) and quadratic
weighted kappa of this design (Monte Carlo, pooled over sites).
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from csceval.reliability import cohen_kappa, krippendorff_alpha
from csceval.simulate.pilots import TIME_POINTS
from csceval.simulate.rng import stream
from csceval.simulate.world import World
from csceval.simulate.writer import table_csv
from csceval.strands.family_goals.agreement import CATEGORIES
from csceval.strands.family_goals.tables import (
    FAMILY_GOALS,
    GOAL_CONCORDANCE,
    GOAL_RATINGS,
    LEVEL_COLUMNS,
)

THEMES = (
    ("Children attend school every day and arrive on time",
     "Kids get to school on time every day"),
    ("Parent engages with the substance misuse service and stays abstinent",
     "Stop drinking and keep going to the alcohol service"),
    ("Home conditions are kept safe and clean for the children",
     "Keep the house clean and safe for the kids"),
    ("Children are protected from domestic abuse in the home",
     "No more arguments and fighting in front of the children"),
    ("Parent attends all health appointments for the baby",
     "Take the baby to every health appointment"),
    ("Family has a stable tenancy and the rent arrears are paid",
     "Sort out the rent and keep our flat"),
    ("Young person has a trusted adult and stays safe when out",
     "Know where my son is at night and that he is safe"),
    ("Parent uses consistent routines and boundaries at bedtime",
     "Get the children to bed at a proper time"),
)  # fmt: skip
SYMBOLS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass(frozen=True)
class GoalsConfig:
    """Settings of the goals simulation (latent units: a goal level is 1)."""

    families_per_site: tuple[int, int] = (10, 15)
    goals_per_family: tuple[int, int] = (3, 5)
    effect: float = 0.4
    site_sd: float = 0.2
    family_sd: float = 0.5
    goal_sd: float = 0.5
    noise_sd: float = 0.5
    worker_bias: float = 0.0
    parent_bias: float = 0.3
    missing_rate: float = 0.05
    double_share: float = 0.2
    entry_error: float = 0.02
    shared_theme: float = 0.6
    rho: float = 0.3
    truth_families: int = 2000


@dataclass(frozen=True)
class GoalsSimulation:
    goals: pd.DataFrame
    ratings: pd.DataFrame
    truth: dict[str, object]
    concordance: pd.DataFrame  # a reviewer's verdict on each parent goal (goal_concordance)


def _levels(y: np.ndarray) -> np.ndarray:
    return np.clip(np.round(y), -2, 2)


def _draw(rng: np.random.Generator, mu: float, n: int, config: GoalsConfig) -> pd.DataFrame:
    """n families' goals at a site with mean mu: family, goal, weight, latent, worker, parent."""
    lo, hi = config.goals_per_family
    sizes = rng.integers(lo, hi + 1, size=n)
    family = np.repeat(np.arange(n), sizes)
    index = np.concatenate([np.arange(k) for k in sizes])
    latent = mu + rng.normal(0, config.family_sd, n)[family]
    latent = latent + rng.normal(0, config.goal_sd, len(family))
    out = pd.DataFrame(
        {"family": family, "index": index, "weight": rng.integers(1, 4, len(family)),
         "latent": latent}
    )  # fmt: skip
    for role, bias in (("worker", config.worker_bias), ("parent", config.parent_bias)):
        y = _levels(latent + bias + rng.normal(0, config.noise_sd, len(family)))
        y[rng.random(len(family)) < config.missing_rate] = np.nan
        out[role] = y
    return out


def _t_scores(frame: pd.DataFrame, role: str, rho: float) -> np.ndarray:
    """Vectorised Kiresuk-Sherman T per family (rated goals only), for the truth."""
    x, w = frame[role].to_numpy(dtype=float), frame["weight"].to_numpy(dtype=float)
    rated = np.isfinite(x)
    fam = frame["family"].to_numpy()
    k = int(fam.max()) + 1
    sw = np.bincount(fam[rated], w[rated], minlength=k)
    sw2 = np.bincount(fam[rated], w[rated] ** 2, minlength=k)
    swx = np.bincount(fam[rated], (w * np.nan_to_num(x))[rated], minlength=k)
    ok = sw > 0
    t: np.ndarray = 50 + 10 * swx[ok] / np.sqrt((1 - rho) * sw2[ok] + rho * sw[ok] ** 2)
    return t


def _pseudonym(rng: np.random.Generator) -> str:
    return "P-" + "".join(SYMBOLS[i] for i in rng.integers(len(SYMBOLS), size=16))


def _sources(rng: np.random.Generator, n: int) -> list[str]:
    rest = ["worker", "parent", *rng.choice(["worker", "parent"], size=max(n - 3, 0))]
    return ["plan", *(str(x) for x in rng.permutation(rest))][:n]


def _texts(
    rng: np.random.Generator, sources: list[str], shared: float
) -> tuple[list[str], list[int]]:
    """Synthetic goal texts and their themes: parents' phrasing of their themes; a worker goal
    often shares one."""
    pool = [int(i) for i in rng.permutation(len(THEMES))]
    parent_themes = [pool.pop() for s in sources if s == "parent"]
    unshared, texts, themes = list(parent_themes), [], []
    for source in sources:
        if source == "parent":
            themes.append(parent_themes.pop(0))
            texts.append(THEMES[themes[-1]][1])
        elif source == "worker" and unshared and rng.random() < shared:
            themes.append(unshared.pop(0))
            texts.append(THEMES[themes[-1]][0])
        else:
            themes.append(pool.pop())
            texts.append(THEMES[themes[-1]][0])
    return texts, themes


def _verdicts(base: dict[str, str], sources: list[str], themes: list[int]) -> list[list[object]]:
    """A reviewer's verdict on each parent goal: the worker goal with the same theme (yes), else
    the family's first worker goal (no); none without a worker goal."""
    workers = [k for k, s in enumerate(sources) if s == "worker"]
    rows: list[list[object]] = []
    for k in (k for k, s in enumerate(sources) if s == "parent" and workers):
        same = [j for j in workers if themes[j] == themes[k]]
        j = same[0] if same else workers[0]
        rows.append([*base.values(), f"G{k + 1}", f"G{j + 1}", "yes" if same else "no"])
    return rows


def _site_rows(
    seed: int, code: str, mu: float, config: GoalsConfig
) -> tuple[list[dict[str, object]], list[dict[str, object]], list[list[object]]]:
    rng = stream(seed, "family-goals", "site", code)
    tp, t1, t2 = TIME_POINTS[-1][0], TIME_POINTS[0][1], TIME_POINTS[-1][1]
    drawn = _draw(rng, mu, int(rng.integers(config.families_per_site[0],
                  config.families_per_site[1] + 1)), config)  # fmt: skip
    goals: list[dict[str, object]] = []
    ratings: list[dict[str, object]] = []
    verdicts: list[list[object]] = []
    for _, part in drawn.groupby("family", sort=True):
        family = _pseudonym(rng)
        sources = _sources(rng, len(part))
        texts, themes = _texts(rng, sources, config.shared_theme)
        family_key = {"la_code": code, "time_point": tp, "family": family}
        verdicts += _verdicts(family_key, sources, themes)
        set_on = t1 + timedelta(days=int(rng.integers(0, 90)))
        rated_on = t2 + timedelta(days=int(rng.integers(0, 60)))
        double = {r: bool(rng.random() < config.double_share) for r in ("worker", "parent")}
        for k, row in enumerate(part.itertuples(index=False)):
            base = {"la_code": code, "time_point": tp, "family": family, "goal": f"G{k + 1}"}
            goals.append(
                {**base, "source": sources[k], "description": texts[k],
                 **{col: f"{meaning.capitalize()} (synthetic)" for col, meaning
                    in LEVEL_COLUMNS.values()},
                 "weight": int(str(row.weight)), "baseline": -1, "set_on": set_on.isoformat()}
            )  # fmt: skip
            for role in ("worker", "parent"):
                value = float(getattr(row, role))
                entries = [value]
                if double[role]:
                    typo = np.isfinite(value) and rng.random() < config.entry_error
                    entries.append(_levels(np.array([value + 1 if value < 2 else value - 1]))[0]
                                   if typo else value)  # fmt: skip
                for e, v in enumerate(entries, start=1):
                    ratings.append(
                        {**base, "rater_role": role, "entry": e,
                         "rating": "" if not np.isfinite(v) else int(v),
                         "rated_on": rated_on.isoformat()}
                    )  # fmt: skip
    return goals, ratings, verdicts


def _truth_agreement(seed: int, means: list[float], config: GoalsConfig) -> dict[str, float]:
    rng = stream(seed, "family-goals", "truth", "agreement")
    frames = [_draw(rng, mu, config.truth_families // 4, config) for mu in means]
    both = pd.concat(frames)[["worker", "parent"]].dropna().to_numpy(dtype=float)
    return {
        "krippendorff_alpha_ordinal": round(
            krippendorff_alpha(both, level="ordinal", categories=CATEGORIES).estimate, 4
        ),
        "weighted_kappa_quadratic": round(
            cohen_kappa(both, weights="quadratic", categories=CATEGORIES).estimate, 4
        ),
        "mean_parent_minus_worker": round(float((both[:, 1] - both[:, 0]).mean()), 4),
    }


def simulate_family_goals(
    seed: int, sites: tuple[tuple[str, str], ...], config: GoalsConfig | None = None
) -> GoalsSimulation:
    """Goals, ratings and truth for ``sites`` = ((la_code, "framework"|"contrast"), ...)."""
    config = config or GoalsConfig()
    rng = stream(seed, "family-goals", "sites")
    mu = {
        code: float(rng.normal(0, config.site_sd)) + config.effect * (group == "framework")
        for code, group in sites
    }
    goals: list[dict[str, object]] = []
    ratings: list[dict[str, object]] = []
    verdicts: list[list[object]] = []
    expected: dict[str, dict[str, float]] = {}
    for code, _ in sites:
        g, r, v = _site_rows(seed, code, mu[code], config)
        goals += g
        ratings += r
        verdicts += v
        big = _draw(stream(seed, "family-goals", "truth", code), mu[code],
                    config.truth_families, config)  # fmt: skip
        expected[code] = {
            role: round(float(_t_scores(big, role, config.rho).mean()), 4)
            for role in ("worker", "parent")
        }
    groups = dict(sites)
    difference = {}
    for role in ("worker", "parent"):
        fw = [expected[c][role] for c in groups if groups[c] == "framework"]
        ct = [expected[c][role] for c in groups if groups[c] == "contrast"]
        if fw and ct:
            difference[role] = round(float(np.mean(fw) - np.mean(ct)), 4)
    truth: dict[str, object] = {
        "model": "latent attainment; see csceval.strands.family_goals.simulate",
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()},
        "time_point": TIME_POINTS[-1][0],
        "site_groups": groups,
        "site_means": {k: round(v, 6) for k, v in mu.items()},
        "expected_t_score": expected,
        "framework_minus_contrast": difference,
        "parent_worker_agreement": _truth_agreement(seed, list(mu.values()), config),
    }
    return GoalsSimulation(
        goals=pd.DataFrame(goals, columns=list(FAMILY_GOALS.column_names)),
        ratings=pd.DataFrame(ratings, columns=list(GOAL_RATINGS.column_names)),
        truth=truth,
        concordance=pd.DataFrame(verdicts, columns=list(GOAL_CONCORDANCE.column_names)),
    )


@functools.lru_cache(maxsize=4)
def _for_world(seed: int, sites: tuple[tuple[str, str], ...]) -> GoalsSimulation:
    return simulate_family_goals(seed, sites)


def world_goals(world: World) -> GoalsSimulation:
    """Goals at the synthetic pilots still in the framework and at the contrast sites."""
    pilots = [(p.la_code, "framework") for p in world.design.pilots if p.role == "pilot"]
    sites = tuple(pilots + [(c.la_code, "contrast") for c in world.design.contrasts])
    return _for_world(world.seed, sites)


def family_goal_files(world: World) -> dict[str, str]:
    """``data/family_goals.csv``, ``data/goal_ratings.csv`` and ``data/goal_concordance.csv``
    (a reviewer's verdicts) of the synthetic project."""
    sim = world_goals(world)
    tables = (
        (FAMILY_GOALS, sim.goals),
        (GOAL_RATINGS, sim.ratings),
        (GOAL_CONCORDANCE, sim.concordance),
    )
    return {
        schema.file: table_csv(schema, frame[list(schema.column_names)].to_numpy().tolist())
        for schema, frame in tables
    }


def family_goal_truth(world: World) -> dict[str, object]:
    """The ``family_goals`` entry of truth.json."""
    return world_goals(world).truth
