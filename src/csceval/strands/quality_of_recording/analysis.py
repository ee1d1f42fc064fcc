"""The quality-of-recording analysis: scores by site and time point, framework against contrast
sites, and inter-rater reliability per item. Pure: no file is read or written here.

Groups: sites with role ``pilot`` or ``exited`` are *framework* sites (as randomised, exited
pilots stay in); ``contrast`` and ``comparator`` sites are *contrast* sites. At each time point,
for the overall score and each section, the comparison reports the means of site means, Hedges'
g on case scores (exact interval), a site-level permutation test and, where there are at least
2 sites in each group and 4 in all, the framework coefficient of a random-intercept model (cases
within sites, REML; t interval on sites - 2 df).

Reliability: for each scored item, the cases rated twice (blind second rating) give a units x 2
matrix; percent agreement, Krippendorff's alpha (ordinal for ordinal scales, nominal for yes/no)
with a percentile bootstrap interval, and Gwet's AC2 (linear weights; AC1 for yes/no), which
stays interpretable when nearly every case gets the same answer (the kappa paradox).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csceval.project import ProjectData
from csceval.reliability import gwet_ac, krippendorff_alpha, percent_agreement
from csceval.site_comparison import (
    VERDICT_COLUMNS,
    ContrastVerdict,
    contrast_verdict,
    flat_row,
    hedges_g,
    minimum_detectable_effect_size,
    site_permutation_test,
    within_group_spread,
)
from csceval.strands.quality_of_recording.instrument import Instrument, builtin_instruments
from csceval.strands.quality_of_recording.multilevel import fit_random_intercept
from csceval.strands.quality_of_recording.scoring import case_scores, double_ratings, item_scores

FRAMEWORK_ROLES = ("pilot", "exited")
CONTRAST_ROLES = ("contrast", "comparator")
MIN_DOUBLE = 10
"""Fewest double-rated cases for a reliability reading (below it: "too few to judge")."""


@dataclass(frozen=True)
class Comparison:
    """Framework against contrast sites on one measure at one time point."""

    measure: str
    time_point: str
    n_sites_framework: int
    n_sites_contrast: int
    n_cases_framework: int
    n_cases_contrast: int
    mean_framework: float
    mean_contrast: float
    g: float
    g_low: float
    g_high: float
    p_permutation: float
    smallest_p: float
    mde: float
    """Minimum detectable difference in score points (Bloom 2005; alpha 0.05, power 0.8)."""
    verdict: ContrastVerdict
    ml_estimate: float = math.nan
    ml_low: float = math.nan
    ml_high: float = math.nan

    @property
    def difference(self) -> float:
        return self.mean_framework - self.mean_contrast


@dataclass(frozen=True)
class ItemReliability:
    item: str
    section: str
    text: str
    n_units: int
    agreement: float
    alpha: float
    alpha_low: float | None
    alpha_high: float | None
    gwet: float
    level: str

    @property
    def reading(self) -> str:
        return reading(self.alpha, self.n_units)


@dataclass(frozen=True)
class QualityResult:
    instrument: Instrument
    cases: pd.DataFrame
    """One row per audited case at a time point: la_code, pseudonym, time_point, group,
    a column per scored section and ``overall``."""
    sites: pd.DataFrame
    """Mean scores by site and time point with ``n_cases``."""
    comparisons: tuple[Comparison, ...]
    reliability: tuple[ItemReliability, ...]
    site_names: Mapping[str, str]
    time_points: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """One row per measure and time point: framework against contrast sites.

        Columns: ``measure`` (``overall`` or a section id), ``time_point``,
        ``n_sites_framework``, ``n_sites_contrast``, ``n_cases_framework``,
        ``n_cases_contrast``, ``mean_framework`` and ``mean_contrast`` (means of site means,
        0-100), ``difference`` (framework minus contrast), ``g``, ``g_low``, ``g_high`` (Hedges'
        g and its exact 95% interval), ``p_permutation`` and ``smallest_p`` (site permutation
        test), ``mde`` (minimum detectable difference), ``ml_estimate``, ``ml_low``, ``ml_high``
        (random-intercept model; NaN when not fitted), ``strength`` with its rates on the design
        (``strength_null_rate``, ``strength_power_at_mde``:
        :mod:`csceval.site_comparison.verdict`). Empty without contrast sites; site means and
        reliability are ``sites`` and ``reliability``.
        """
        rows = [{**flat_row(c), "difference": c.difference} for c in self.comparisons]
        return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))

    def summary(self) -> str:
        """The overall framework-contrast difference (latest first), cases, auditor agreement."""
        groups = self.cases.groupby("group")["la_code"].nunique()
        lines = [
            f"Overall recording quality at {c.time_point}: framework minus contrast sites "
            f"{c.difference:+.1f} points of 100 (Hedges' g {c.g:.2f}, 95% CI {c.g_low:.2f} to "
            f"{c.g_high:.2f}; site permutation p = {c.p_permutation:.3f})."
            for c in reversed(self.comparisons)
            if c.measure == "overall" and math.isfinite(c.difference)
        ]
        lines.append(
            f"{len(self.cases)} case audits from {groups.get('framework', 0)} framework and "
            f"{groups.get('contrast', 0)} contrast sites at {', '.join(self.time_points)} "
            f"('{self.instrument.title}')."
        )
        judged = [r for r in self.reliability if not r.reading.startswith("too few")]
        if judged:
            good = sum(r.alpha >= 0.8 for r in judged)
            lines.append(
                f"Auditors agreed well (Krippendorff's alpha 0.8 or more) on {good} of "
                f"{len(judged)} items with enough double-rated cases."
            )
        return "\n".join(lines)


COMPARISON_COLUMNS = (
    "measure", "time_point", "n_sites_framework", "n_sites_contrast", "n_cases_framework",
    "n_cases_contrast", "mean_framework", "mean_contrast", "difference", "g", "g_low", "g_high",
    "p_permutation", "smallest_p", "mde", "ml_estimate", "ml_low", "ml_high", *VERDICT_COLUMNS,
)  # fmt: skip
"""The columns of :meth:`QualityResult.to_frame`."""


def reading(alpha: float, n_units: int) -> str:
    """A plain-English reading of Krippendorff's alpha (Krippendorff 2004, section 11.4)."""
    if n_units < MIN_DOUBLE or not math.isfinite(alpha):
        return "too few double-rated cases to judge"
    if alpha >= 0.8:
        return "auditors agree well: scores can be relied on"
    if alpha >= 0.667:
        return "moderate agreement: use for tentative conclusions only"
    return "auditors often disagree: clarify the guidance before relying on this item"


def _measures(instrument: Instrument) -> list[str]:
    return ["overall", *(s.id for s in instrument.sections if s.weight > 0)]


def _compare(cases: pd.DataFrame, measure: str, tp: str, seed: int) -> Comparison | None:
    rows = cases[(cases["time_point"] == tp) & cases[measure].notna()]
    fw, ct = rows[rows["group"] == "framework"], rows[rows["group"] == "contrast"]
    if fw.empty or ct.empty:
        return None
    site = rows.groupby("la_code").agg(mean=(measure, "mean"), group=("group", "first"))
    in_fw = (site["group"] == "framework").to_numpy()
    perm = site_permutation_test(site["mean"], in_fw, seed=seed)
    g = hedges_g(fw[measure], ct[measure])
    n_fw = int(in_fw.sum())
    n_ct = len(site) - n_fw
    case_in_fw = (rows["group"] == "framework").to_numpy()
    spread = within_group_spread(rows[measure].to_numpy(), rows["la_code"].to_numpy(), case_in_fw)
    mde = spread.sd_within * minimum_detectable_effect_size(
        n_fw, n_ct, len(rows) / len(site), spread.icc
    )
    ml = (math.nan, math.nan, math.nan)
    if min(n_fw, n_ct) >= 2 and len(site) >= 4:
        x = np.column_stack([np.ones(len(rows)), case_in_fw])
        try:
            fit = fit_random_intercept(rows[measure].to_numpy(), x, rows["la_code"].to_numpy())
            ml = (float(fit.beta[1]), *fit.interval(1))
        except (ValueError, np.linalg.LinAlgError):
            pass
    return Comparison(
        measure=measure,
        time_point=tp,
        n_sites_framework=n_fw,
        n_sites_contrast=n_ct,
        n_cases_framework=len(fw),
        n_cases_contrast=len(ct),
        mean_framework=float(site.loc[site["group"] == "framework", "mean"].mean()),
        mean_contrast=float(site.loc[site["group"] == "contrast", "mean"].mean()),
        g=float(g.g),
        g_low=float(g.low),
        g_high=float(g.high),
        p_permutation=perm.p_value,
        smallest_p=perm.smallest_p,
        mde=mde,
        verdict=contrast_verdict(site["mean"].to_numpy(), in_fw, perm.p_value, mde, seed=seed),
        ml_estimate=ml[0],
        ml_low=ml[1],
        ml_high=ml[2],
    )


def item_reliability(
    audits: pd.DataFrame, instrument: Instrument, *, n_boot: int = 500, seed: int = 0
) -> tuple[ItemReliability, ...]:
    """Reliability of every scored item from its double-rated cases."""
    out = []
    for section, item, scale in instrument.items():
        if not scale.scored:
            continue
        matrix = double_ratings(audits, instrument, item.id)
        matrix = matrix[~np.isnan(matrix).any(axis=1)] if len(matrix) else matrix.reshape(0, 2)
        ordinal = scale.kind == "ordinal"
        level = "ordinal" if ordinal else "nominal"
        cats = [float(a.value) for a in scale.anchors] if ordinal else [0.0, 1.0]
        if len(matrix) < 2:
            out.append(
                ItemReliability(
                    item.id,
                    section.id,
                    item.text,
                    len(matrix),
                    math.nan,
                    math.nan,
                    None,
                    None,
                    math.nan,
                    level,
                )
            )
            continue
        alpha = krippendorff_alpha(
            matrix, level=level, categories=cats, ci=True, n_boot=n_boot, seed=seed
        )
        ac = gwet_ac(matrix, weights="linear" if ordinal else None, categories=cats)
        agree = percent_agreement(matrix, categories=cats)
        out.append(
            ItemReliability(
                item.id,
                section.id,
                item.text,
                len(matrix),
                agree.estimate,
                alpha.estimate,
                alpha.ci_low,
                alpha.ci_high,
                ac.estimate,
                level,
            )
        )
    return tuple(out)


def analyse_audits(
    audits: pd.DataFrame,
    instrument: Instrument,
    roles: Mapping[str, str],
    *,
    site_names: Mapping[str, str] | None = None,
    time_points: tuple[str, ...] = (),
    seed: int = 0,
    n_boot: int = 500,
) -> QualityResult:
    """The whole analysis from a case_audits frame (rows of other instruments are ignored)."""
    mine = audits[
        (audits["instrument"].astype(str) == instrument.id)
        & (audits["instrument_version"].astype(str) == instrument.version)
    ]
    group = {
        code: "framework" if role in FRAMEWORK_ROLES else "contrast"
        for code, role in roles.items()
        if role in FRAMEWORK_ROLES + CONTRAST_ROLES
    }
    mine = mine[mine["la_code"].astype(str).isin(group)]
    cases = case_scores(item_scores(mine, instrument), instrument)
    cases.insert(3, "group", cases["la_code"].map(group))
    tps = time_points or tuple(sorted(cases["time_point"].unique()))
    tps = tuple(t for t in tps if t in set(cases["time_point"]))
    measures = _measures(instrument)
    sites = (
        cases.groupby(["la_code", "group", "time_point"])[measures]
        .mean()
        .join(cases.groupby(["la_code", "group", "time_point"]).size().rename("n_cases"))
        .reset_index()
    )
    comparisons = [
        c for tp in tps for m in measures if (c := _compare(cases, m, tp, seed)) is not None
    ]
    notes = []
    if len(audits) > len(mine):
        notes.append(
            f"{len(audits) - len(mine)} audit rows of other instruments or of sites that are "
            "neither framework nor contrast sites were left out."
        )
    return QualityResult(
        instrument=instrument,
        cases=cases,
        sites=sites,
        comparisons=tuple(comparisons),
        reliability=item_reliability(mine, instrument, n_boot=n_boot, seed=seed),
        site_names=dict(site_names or {}),
        time_points=tps,
        notes=tuple(notes),
    )


def main_instrument(audits: pd.DataFrame) -> Instrument:
    """The built-in instrument used by most audit rows (checks guarantee it exists)."""
    pairs = audits.groupby(["instrument", "instrument_version"]).size().sort_values()
    ident, version = pairs.index[-1]
    return builtin_instruments()[(str(ident), str(version))]


def analyse_quality(project: ProjectData) -> QualityResult:
    """The strand's ``analyse``: the project's case audits, sites and time points."""
    audits = project.table("case_audits")
    settings = project.settings
    return analyse_audits(
        audits,
        main_instrument(audits),
        {s.la_code: s.role for s in settings.sites},
        site_names={s.la_code: s.name for s in settings.sites},
        time_points=tuple(tp.id for tp in settings.periods.time_points),
    )
