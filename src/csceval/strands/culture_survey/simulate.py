"""Synthetic team-climate survey answers with a known truth (clearly synthetic; no real staff).

Surveyed sites: the first two pilots still in the framework and the contrast sites (the
reference contrast study compared two framework with two contrast sites). Each site has 4-8
teams of 3-14 staff; each member answers with probability ``response_rate`` (drawn per team).

Latent climate on subscale ``s`` of team ``t`` in site ``j`` at time point ``p``:
``m = u_js + gain [framework and p = T2] + trend [p = T2] + v_ts`` with site effects
``u ~ N(0, site_sd)`` and lasting team effects ``v ~ N(0, team_sd)``. A respondent's answer to
item ``i`` is ``1 +`` the number of thresholds below ``m + e + d_i + N(0, noise_sd)``
(``e ~ N(0, person_sd)`` per respondent and subscale, ``d_i`` the item's leniency);
reverse-keyed items are written reversed. Items are skipped with probability ``skip``.

Truth (``truth.json`` under ``culture_survey``): per site, time point and subscale the expected
mean of team means on the 1-5 scale (exact normal probabilities given the drawn team levels),
over the teams that answered, the framework-minus-contrast difference of the mean expected site
means, and the population
ICC(1) of subscale scores and r_wg(j) of a team of 10 under the model (Monte Carlo).
"""

from __future__ import annotations

import functools
import io
import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from csceval.reliability import aggregation_icc, rwg_j
from csceval.simulate.pilots import TIME_POINTS
from csceval.simulate.rng import stream
from csceval.simulate.world import World
from csceval.strands.culture_survey.instrument import Instrument, default_instrument
from csceval.strands.culture_survey.norms import FILE as NORMS_FILE
from csceval.strands.culture_survey.tables import SURVEY_RESPONSES, SURVEY_TEAMS

THRESHOLDS = np.array([-1.5, -0.5, 0.5, 1.5])
COMMENTS = (
    "Supervision has got better this year.",
    "We need more time for direct work with families.",
    "Thanks to Jordan for covering my duty week.",
    "Caseloads are too high in the winter.",
    "",
)


@dataclass(frozen=True)
class SurveyConfig:
    """Settings of the survey simulation (latent units: answer thresholds 1 apart)."""

    teams: tuple[int, int] = (4, 9)
    team_size: tuple[int, int] = (3, 15)
    response_rate: tuple[float, float] = (0.55, 0.95)
    base: float = 0.3
    gain: float = 0.5
    trend: float = 0.05
    site_sd: float = 0.12
    team_sd: float = 0.25
    person_sd: float = 0.6
    noise_sd: float = 0.55
    leniency_sd: float = 0.2
    skip: float = 0.03
    comment_rate: float = 0.2


@dataclass(frozen=True)
class SurveySimulation:
    responses: pd.DataFrame
    truth: dict[str, object]
    teams: pd.DataFrame  # la_code, team, time_point, invited (the team's size)


def _expected(level: float, leniency: np.ndarray, config: SurveyConfig) -> float:
    sd = math.hypot(config.person_sd, config.noise_sd)
    p = stats.norm.sf((THRESHOLDS[None, :] - level - leniency[:, None]) / sd)
    return float(1 + p.sum(axis=1).mean())


def _answers(
    latent: np.ndarray, leniency: np.ndarray, rng: np.random.Generator, config: SurveyConfig
) -> np.ndarray:
    y = (
        latent[:, None]
        + leniency[None, :]
        + rng.normal(0, config.noise_sd, (len(latent), len(leniency)))
    )
    return np.asarray(1 + (y[:, :, None] > THRESHOLDS).sum(axis=2))


def _population(
    ins: Instrument, lenient: dict[str, np.ndarray], config: SurveyConfig, seed: int
) -> dict[str, dict[str, float]]:
    rng = stream(seed, "culture-survey", "truth")
    n_teams, size = 1500, 10
    out = {}
    for scale in ins.subscales:
        team = rng.normal(0, math.hypot(config.site_sd, config.team_sd), n_teams)
        latent = np.repeat(team, size) + rng.normal(0, config.person_sd, n_teams * size)
        v = _answers(config.base + latent, lenient[scale], rng, config).astype(float)
        groups = np.repeat(np.arange(n_teams), size)
        icc1 = aggregation_icc(v.mean(axis=1), groups)[0].estimate
        rwg = [rwg_j(v[groups == g], 5).estimate for g in range(200)]
        out[scale] = {"icc1": round(icc1, 4), "rwg_j_team_of_10": round(float(np.mean(rwg)), 4)}
    return out


def _team_rows(
    base: dict[str, str], n: int, levels: dict[str, float], ins: Instrument,
    lenient: dict[str, np.ndarray], rng: np.random.Generator, config: SurveyConfig,
) -> list[dict[str, str]]:  # fmt: skip
    """The answers of a team's ``n`` respondents (ids ``<base id>-<r>``, hashed later)."""
    answers = {
        scale: _answers(level + rng.normal(0, config.person_sd, n), lenient[scale], rng, config)
        for scale, level in levels.items()
    }
    rows = []
    for r in range(n):
        who = {**base, "response_id": f"{base['response_id']}-{r:02d}"}
        for scale, questions in ins.subscales.items():
            for q, value in zip(questions, answers[scale][r], strict=True):
                if rng.random() >= config.skip:
                    raw = 6 - int(value) if q.reverse else int(value)
                    rows.append({**who, "item": q.name, "value": str(raw)})
        if rng.random() < config.comment_rate:
            text = COMMENTS[int(rng.integers(len(COMMENTS)))]
            if text:
                rows.append({**who, "item": "comments", "value": text})
    return rows


def _group_mean(expected: dict[str, dict[str, dict[str, float]]], groups: dict[str, str],
                group: str, tp: str, scale: str) -> float:  # fmt: skip
    return float(np.mean([expected[c][tp][scale] for c in groups if groups[c] == group]))


def simulate_survey(
    seed: int, sites: tuple[tuple[str, str], ...], time_points: tuple[str, ...] = ("T1", "T2"),
    *, config: SurveyConfig | None = None,
) -> SurveySimulation:  # fmt: skip
    """Responses and truth for ``sites`` = ((la_code, "framework"|"contrast"), ...)."""
    ins = default_instrument()
    config = config or SurveyConfig()
    rng = stream(seed, "culture-survey", "model")
    scales = list(ins.subscales)
    lenient = {s: rng.normal(0, config.leniency_sd, len(q)) for s, q in ins.subscales.items()}
    site_effect = {(c, s): float(rng.normal(0, config.site_sd)) for c, _ in sites for s in scales}
    rows: list[dict[str, str]] = []
    invited: list[tuple[str, str, str, int]] = []
    expected: dict[str, dict[str, dict[str, float]]] = {}
    for code, group in sites:
        site_rng = stream(seed, "culture-survey", "site", code)
        n_teams = int(site_rng.integers(*config.teams))
        lasting = site_rng.normal(0, config.team_sd, (n_teams, len(scales)))
        sizes = site_rng.integers(*config.team_size, n_teams)
        for tp in time_points:
            later = tp == time_points[-1] and len(time_points) > 1
            shift = config.trend * later + config.gain * (later and group == "framework")
            tp_rng = stream(seed, "culture-survey", "answers", code, tp)
            sums = dict.fromkeys(scales, 0.0)
            responding = 0
            for team in range(n_teams):
                n = int(tp_rng.binomial(sizes[team], tp_rng.uniform(*config.response_rate)))
                levels = {
                    scale: config.base + site_effect[(code, scale)] + lasting[team, k] + shift
                    for k, scale in enumerate(scales)
                }
                responding += n > 0
                for scale, level in levels.items():
                    sums[scale] += _expected(level, lenient[scale], config) * (n > 0)
                base = {"response_id": f"{code}{tp}{team:02d}", "la_code": code,
                        "team": f"T{team + 1:02d}", "time_point": tp}  # fmt: skip
                rows += _team_rows(base, n, levels, ins, lenient, tp_rng, config)
                invited.append((code, base["team"], tp, int(sizes[team])))
            means = {s: round(v / max(responding, 1), 4) for s, v in sums.items()}
            expected.setdefault(code, {})[tp] = means
    frame = pd.DataFrame(rows, columns=list(SURVEY_RESPONSES.column_names))
    ids = sorted(frame["response_id"].unique())
    draws = stream(seed, "culture-survey", "ids").choice(2**47, len(ids), replace=False)
    hashed = {r: f"R-{int(h):012X}" for r, h in zip(ids, draws, strict=True)}
    frame["response_id"] = frame["response_id"].map(hashed)
    groups = dict(sites)
    difference = {
        tp: {s: round(_group_mean(expected, groups, "framework", tp, s)
                      - _group_mean(expected, groups, "contrast", tp, s), 4) for s in scales}
        for tp in time_points
    }  # fmt: skip
    truth: dict[str, object] = {
        "model": "latent team climate; see csceval.strands.culture_survey.simulate",
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()},
        "site_groups": groups,
        "expected_site_means": expected,
        "framework_minus_contrast": difference,
        "population": _population(ins, lenient, config, seed),
    }
    responses = frame.sort_values(["response_id", "item"]).reset_index(drop=True)
    teams = pd.DataFrame(invited, columns=list(SURVEY_TEAMS.column_names))
    return SurveySimulation(responses, truth, teams)


def _world_sites(world: World) -> tuple[tuple[str, str], ...]:
    pilots = [(p.la_code, "framework") for p in world.design.pilots if p.role == "pilot"][:2]
    return tuple(pilots + [(c.la_code, "contrast") for c in world.design.contrasts])


@functools.lru_cache(maxsize=4)
def _cached(
    seed: int, sites: tuple[tuple[str, str], ...], tps: tuple[str, ...]
) -> SurveySimulation:
    return simulate_survey(seed, sites, tps)


def world_survey(world: World) -> SurveySimulation:
    """The survey of the synthetic framework and contrast sites at the fieldwork time points."""
    return _cached(world.seed, _world_sites(world), tuple(t[0] for t in TIME_POINTS))


def survey_files(world: World) -> dict[str, str]:
    """``data/survey_responses.csv``, ``data/survey_teams.csv`` (the staff each team invited)
    and synthetic demo norms (not any instrument's norms)."""
    buffer = io.StringIO()
    world_survey(world).responses.to_csv(buffer, index=False, lineterminator="\n")
    norms = "subscale,mean,sd,source\n" + "".join(
        f"{s},3.40,0.40,SYNTHETIC demo norms (csceval simulator; not real norms)\n"
        for s in default_instrument().subscales
    )
    teams = world_survey(world).teams.to_csv(index=False, lineterminator="\n")
    return {SURVEY_RESPONSES.file: buffer.getvalue(), SURVEY_TEAMS.file: teams, NORMS_FILE: norms}


def survey_truth(world: World) -> dict[str, object]:
    """The ``culture_survey`` entry of truth.json."""
    return world_survey(world).truth
