"""Synthetic case-file audits: case lists, samples and ratings with a known truth.

Each audited site has a synthetic case list per time point (ids ``SYN-...``, strata ``cin``,
``cin_plan``, ``cpp``, ``cla``), from which
:func:`csceval.strands.quality_of_recording.sampling.draw_sample`
draws the sample (key derived from the seed: synthetic only); a share of sampled files is
"unavailable" and replaced by the documented rule.

Ratings come from a latent quality model. Case quality at site ``j`` and time point ``t`` is
``q = u_j + trend [t = T2] + gain [framework and t = T2] + N(0, case_sd)`` with site effects
``u_j ~ N(0, site_sd)``. Rater ``r`` (three per site, severity ``s_r ~ N(0, severity_sd)``) reads
item ``i`` (difficulty ``d_i ~ N(0, difficulty_sd)``) as ``y = q - d_i + s_r + N(0, noise_sd)``;
an ordinal answer is ``1 +`` the number of thresholds (-1, 0, 1) below ``y``, yes/no is
``y > 0``; an item that allows "not applicable" is ``na`` for a case with probability
``na_rate`` (for both raters). A share of cases gets a blind second rating by another rater of
the site; where the two differ a reconciled rating (one of the two, at random) is recorded.

The truth (``truth.json`` under ``case_audits``): the item difficulties, site effects, rater
severities, each site's expected section and overall score per time point (exact: normal
probabilities averaged over the site's raters and the na patterns), the framework-minus-contrast
difference in mean expected overall score per time point, and each item's population
Krippendorff alpha and percent agreement for this design (Monte Carlo, 20,000 double ratings).
"""

from __future__ import annotations

import functools
import io
import itertools
import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from csceval.project.schema import TableSchema
from csceval.reliability import krippendorff_alpha, percent_agreement
from csceval.simulate.pilots import TIME_POINTS
from csceval.simulate.rng import stream
from csceval.simulate.world import World
from csceval.strands.quality_of_recording.case_list import CaseList
from csceval.strands.quality_of_recording.instrument import Instrument, Scale, default_instrument
from csceval.strands.quality_of_recording.sampling import CaseSample, draw_sample, replace_case
from csceval.strands.quality_of_recording.tables import CASE_AUDITS, CASE_SAMPLES

THRESHOLDS = (-1.0, 0.0, 1.0)
STRATA = (("cin", 0.45), ("cin_plan", 0.25), ("cpp", 0.15), ("cla", 0.15))
TRUTH_DRAWS = 20000


@dataclass(frozen=True)
class AuditConfig:
    """Settings of the audit simulation (latent units: case-to-case SD about 1)."""

    cases_per_site: int = 10
    list_size: tuple[int, int] = (80, 300)
    double_share: float = 0.3
    unavailable_share: float = 0.1
    gain: float = 0.5
    trend: float = 0.1
    site_sd: float = 0.25
    case_sd: float = 0.8
    severity_sd: float = 0.1
    noise_sd: float = 0.3
    difficulty_sd: float = 0.5
    na_rate: float = 0.1
    raters_per_site: int = 3


@dataclass(frozen=True)
class AuditSimulation:
    samples: pd.DataFrame
    audits: pd.DataFrame
    truth: dict[str, object]


def _answer(scale: Scale, y: np.ndarray) -> list[str]:
    if scale.kind == "yes_no":
        return ["yes" if v > 0 else "no" for v in y]
    return [str(1 + int((v > np.array(THRESHOLDS)).sum())) for v in y]


def _expected_item(scale: Scale, mean: float, severities: np.ndarray, sd: float) -> float:
    """Expected 0-100 score of an item, averaged over the site's raters."""
    cuts = (0.0,) if scale.kind == "yes_no" else THRESHOLDS
    p = stats.norm.sf((np.array(cuts)[None, :] - mean - severities[:, None]) / sd)
    return float(100 * p.sum(axis=1).mean() / len(cuts))


def _expected_scores(
    instrument: Instrument, mean: float, severities: np.ndarray, difficulty: dict[str, float],
    config: AuditConfig,
) -> dict[str, float]:  # fmt: skip
    sd = math.hypot(config.case_sd, config.noise_sd)
    out: dict[str, float] = {}
    for section in instrument.sections:
        if section.weight <= 0:
            continue
        items = [(i, instrument.scale(i.scale)) for i in section.items]
        items = [(i, s) for i, s in items if s.scored]
        e = {i.id: _expected_item(s, mean - difficulty[i.id], severities, sd) for i, s in items}
        nas = [i.id for i, s in items if s.allow_na]
        total = weight = 0.0
        for pattern in itertools.product((False, True), repeat=len(nas)):
            gone = {n for n, off in zip(nas, pattern, strict=True) if off}
            prob = math.prod(config.na_rate if off else 1 - config.na_rate for off in pattern)
            kept = [e[i] for i in e if i not in gone]
            if len(kept) >= instrument.scoring.min_answered * len(items) and kept:
                total += prob * float(np.mean(kept))
                weight += prob
        out[section.id] = total / weight
    w = {s.id: s.weight for s in instrument.sections if s.weight > 0}
    out["overall"] = sum(out[k] * w[k] for k in w) / sum(w.values())
    return out


def _case_list(seed: int, la_code: str, tp: str, config: AuditConfig) -> CaseList:
    rng = stream(seed, "case_audit", "list", la_code, tp)
    n = int(rng.integers(*config.list_size))
    names = [name for name, _ in STRATA]
    strata = rng.choice(names, size=n, p=[share for _, share in STRATA])
    cases = pd.DataFrame(
        {
            "case_id": [f"SYN-{la_code}-{tp}-{k:05d}" for k in range(n)],
            "stratum": strata,
            "team": "",
            "opened": "",
            "closed": "",
        }
    )
    return CaseList(la_code, cases.sort_values("case_id").reset_index(drop=True), "synthetic")


def _sample(seed: int, la_code: str, tp: str, config: AuditConfig) -> CaseSample:
    rng = stream(seed, "case_audit", "sample", la_code, tp)
    key = f"SYNTHETIC-key-{seed}-{la_code}-not-secret"
    sample = draw_sample(
        _case_list(seed, la_code, tp, config),
        key,
        seed=int(rng.integers(2**31)),
        n=config.cases_per_site,
    )
    for p in list(sample.sampled["pseudonym"]):
        if rng.random() < config.unavailable_share:
            stratum = sample.rows.loc[sample.rows["pseudonym"] == p, "stratum"].iat[0]
            spare = sample.rows[
                (sample.rows["stratum"] == stratum) & (sample.rows["status"] == "reserve")
            ]
            if not spare.empty:
                sample = replace_case(sample, p, "file_unavailable")
    return sample


def _population_reliability(
    instrument: Instrument,
    difficulty: dict[str, float],
    means: list[float],
    severities: list[np.ndarray],
    config: AuditConfig,
    seed: int,
) -> dict[str, dict[str, float]]:
    rng = stream(seed, "case_audit", "truth")
    n = TRUTH_DRAWS
    which = rng.integers(len(means), size=n)
    q = np.array(means)[which] + rng.normal(0, config.case_sd, n)
    first = rng.integers(config.raters_per_site, size=n)
    second = (first + rng.integers(1, config.raters_per_site, size=n)) % config.raters_per_site
    sev = np.stack(severities)
    s1, s2 = sev[which, first], sev[which, second]
    out = {}
    for _, item, scale in instrument.items():
        if not scale.scored:
            continue
        base = q - difficulty[item.id]
        y1 = base + s1 + rng.normal(0, config.noise_sd, n)
        y2 = base + s2 + rng.normal(0, config.noise_sd, n)
        cuts = np.array((0.0,) if scale.kind == "yes_no" else THRESHOLDS)
        a = (y1[:, None] > cuts).sum(axis=1) + (scale.kind != "yes_no")
        b = (y2[:, None] > cuts).sum(axis=1) + (scale.kind != "yes_no")
        m = np.column_stack([a, b]).astype(float)
        level = "ordinal" if scale.kind == "ordinal" else "nominal"
        cats = [float(x.value) for x in scale.anchors] if scale.kind == "ordinal" else [0.0, 1.0]
        out[item.id] = {
            "krippendorff_alpha": round(
                krippendorff_alpha(m, level=level, categories=cats).estimate, 4
            ),
            "percent_agreement": round(percent_agreement(m, categories=cats).estimate, 4),
        }
    return out


def simulate_case_audits(
    seed: int,
    sites: tuple[tuple[str, str], ...],
    time_points: tuple[str, ...] = ("T1", "T2"),
    *,
    instrument: Instrument | None = None,
    config: AuditConfig | None = None,
) -> AuditSimulation:
    """Samples, audit rows and truth for ``sites`` = ((la_code, "framework"|"contrast"), ...)."""
    ins = instrument or default_instrument()
    config = config or AuditConfig()
    rng = stream(seed, "case_audit", "model")
    difficulty = {i.id: float(rng.normal(0, config.difficulty_sd)) for _, i, _ in ins.items()}
    site_effect = {code: float(rng.normal(0, config.site_sd)) for code, _ in sites}
    severity = {
        code: rng.normal(0, config.severity_sd, config.raters_per_site) for code, _ in sites
    }
    sample_rows, audit_rows = [], []
    expected: dict[str, dict[str, dict[str, float]]] = {}
    means, sev_list = [], []
    last = time_points[-1]
    for (code, group), tp in itertools.product(sites, time_points):
        later = tp != time_points[0]
        mean = site_effect[code] + config.trend * later
        mean += config.gain * (group == "framework" and tp == last)
        means.append(mean)
        sev_list.append(severity[code])
        expected.setdefault(code, {})[tp] = {
            k: round(v, 4)
            for k, v in _expected_scores(ins, mean, severity[code], difficulty, config).items()
        }
        sample = _sample(seed, code, tp, config)
        for record in sample.rows.to_dict("records"):
            sample_rows.append(
                {"time_point": tp, **record, "seed": sample.seed,
                 "case_list_sha256": sample.list_sha256}
            )  # fmt: skip
        case_rng = stream(seed, "case_audit", "ratings", code, tp)
        cases = list(sample.sampled["pseudonym"])
        n_double = round(config.double_share * len(cases))
        doubled = set(case_rng.choice(cases, size=n_double, replace=False)) if cases else set()
        raters = [f"A-{code}-{k + 1}" for k in range(config.raters_per_site)]
        for pseudonym in cases:
            q = mean + case_rng.normal(0, config.case_sd)
            first = int(case_rng.integers(config.raters_per_site))
            second = (first + int(case_rng.integers(1, config.raters_per_site))) % len(raters)
            for _, item, scale in ins.items():
                if not scale.scored:
                    continue
                na = scale.allow_na and case_rng.random() < config.na_rate
                who = [first, second] if pseudonym in doubled else [first]
                values = []
                for r in who:
                    y = q - difficulty[item.id] + severity[code][r]
                    y += case_rng.normal(0, config.noise_sd)
                    values.append("na" if na else _answer(scale, np.array([y]))[0])
                base = {
                    "la_code": code, "pseudonym": pseudonym, "time_point": tp,
                    "instrument": ins.id, "instrument_version": ins.version, "item": item.id,
                }  # fmt: skip
                for k, (r, v) in enumerate(zip(who, values, strict=True)):
                    audit_rows.append(
                        {**base, "rater_id": raters[r], "value": v,
                         "is_second_rating": str(k == 1).lower(), "reconciled": "false"}
                    )  # fmt: skip
                if len(values) == 2 and values[0] != values[1]:
                    agreed = values[int(case_rng.integers(2))]
                    audit_rows.append(
                        {**base, "rater_id": f"A-{code}-lead", "value": agreed,
                         "is_second_rating": "false", "reconciled": "true"}
                    )  # fmt: skip
    codes = dict(sites)
    difference = {}
    for tp in time_points:
        fw = [expected[c][tp]["overall"] for c in codes if codes[c] == "framework"]
        ct = [expected[c][tp]["overall"] for c in codes if codes[c] == "contrast"]
        if fw and ct:
            difference[tp] = round(float(np.mean(fw) - np.mean(ct)), 4)
    truth: dict[str, object] = {
        "model": "latent quality; see csceval.strands.quality_of_recording.simulate",
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()},
        "instrument": {"id": ins.id, "version": ins.version},
        "thresholds": list(THRESHOLDS),
        "item_difficulty": {k: round(v, 6) for k, v in difficulty.items()},
        "site_effects": {k: round(v, 6) for k, v in site_effect.items()},
        "site_groups": dict(codes),
        "rater_severity": {k: [round(float(x), 6) for x in v] for k, v in severity.items()},
        "expected_scores": expected,
        "framework_minus_contrast_overall": difference,
        "item_reliability": _population_reliability(ins, difficulty, means, sev_list, config, seed),
    }
    audit_columns = [
        "la_code", "pseudonym", "time_point", "rater_id", "instrument", "instrument_version",
        "item", "value", "is_second_rating", "reconciled",
    ]  # fmt: skip
    return AuditSimulation(
        samples=pd.DataFrame(sample_rows),
        audits=pd.DataFrame(audit_rows, columns=audit_columns),
        truth=truth,
    )


@functools.lru_cache(maxsize=4)
def simulate_for_world(
    seed: int, sites: tuple[tuple[str, str], ...], time_points: tuple[str, ...]
) -> AuditSimulation:
    """:func:`simulate_case_audits` with the default settings, cached (files and truth share it)."""
    return simulate_case_audits(seed, sites, time_points)


def _world_sites(world: World) -> tuple[tuple[str, str], ...]:
    """Audited sites: pilots still in the framework, and the contrast sites."""
    pilots = [(p.la_code, "framework") for p in world.design.pilots if p.role == "pilot"]
    return tuple(pilots + [(c.la_code, "contrast") for c in world.design.contrasts])


def world_audits(world: World) -> AuditSimulation:
    """The audits of the synthetic pilots and contrast sites at the fieldwork time points."""
    return simulate_for_world(world.seed, _world_sites(world), tuple(t[0] for t in TIME_POINTS))


def _text(schema: TableSchema, frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    frame[list(schema.column_names)].to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def case_audit_files(world: World) -> dict[str, str]:
    """``data/case_samples.csv`` and ``data/case_audits.csv`` of the synthetic project."""
    sim = world_audits(world)
    return {
        CASE_SAMPLES.file: _text(CASE_SAMPLES, sim.samples),
        CASE_AUDITS.file: _text(CASE_AUDITS, sim.audits),
    }


def case_audit_truth(world: World) -> dict[str, object]:
    """The ``case_audits`` entry of truth.json."""
    return world_audits(world).truth
