"""The family goals analysis: T-scores by rater, framework against contrast sites, agreement.

Pure: no file is read or written here. Groups: sites with role ``pilot`` or ``exited`` are
*framework* sites (as assigned, exited pilots stay in); ``contrast`` sites are *contrast* sites.
Each family's T-score is computed twice, from the social worker's and from the parent's first
entries, over all the family's goals (plan, worker and parent goals); a goal the rater did not
rate is left out of that rater's T-score and counted as missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from csceval.project import ProjectData
from csceval.site_comparison import (
    VERDICT_COLUMNS,
    ContrastVerdict,
    contrast_verdict,
    flat_row,
    hedges_correction,
    minimum_detectable_effect_size,
    site_mean_t_test,
    site_permutation_test,
    within_group_spread,
)
from csceval.strands.family_goals.agreement import (
    DEFAULT_THRESHOLD,
    KEYS,
    RaterAgreement,
    double_entry_agreement,
    goal_pairs,
    paired_ratings,
    rater_agreement,
    site_agreement,
)
from csceval.strands.family_goals.scoring import DEFAULT_RHO, family_scores, site_summaries
from csceval.strands.family_goals.tables import RATER_ROLES

FRAMEWORK_ROLES = ("pilot", "exited")
CONTRAST_ROLES = ("contrast",)


@dataclass(frozen=True)
class Comparison:
    """Framework against contrast sites on the mean family T-score of one rater at one time."""

    rater: str
    time_point: str
    n_sites_framework: int
    n_sites_contrast: int
    n_families_framework: int
    n_families_contrast: int
    mean_framework: float
    mean_contrast: float
    difference: float
    se: float
    df: int
    low: float
    high: float
    p_t: float
    p_permutation: float
    smallest_p: float
    g: float
    g_low: float
    g_high: float
    sd_within: float
    icc: float
    families_per_site: float
    mdes: float
    mde: float
    verdict: ContrastVerdict
    method: str = (
        "difference of means of site means; pooled site-mean t-test on sites - 2 df; site "
        "permutation test; Hedges' g on the within-group family SD; MDE (Bloom 2005) for "
        "alpha 0.05 two-sided, power 0.8"
    )


COMPARISON_COLUMNS = (
    *(f for f in Comparison.__dataclass_fields__ if f != "verdict"),
    *VERDICT_COLUMNS,
)


@dataclass(frozen=True)
class GoalsResult:
    """Goal attainment T-scores, the framework-contrast comparison and rater agreement."""

    rho: float
    time_points: tuple[str, ...]
    families: pd.DataFrame
    """One row per family, time point and rater: la_code, time_point, rater, group, family,
    n_goals, n_rated, n_missing, n_met, t_score."""
    sites: pd.DataFrame
    """One row per site, time point and rater: la_code, time_point, rater, group and the
    site summary (n_families, goals rated, missing and met, mean_t with its t interval)."""
    comparisons: tuple[Comparison, ...]
    agreement: RaterAgreement
    sites_agreement: pd.DataFrame
    """Per site: goals rated by both (n_both), exact agreement, weighted kappa."""
    double_entry: tuple[int, float]
    pairs: pd.DataFrame
    """Parent goals with their most similar worker goal: proposals to review (free text), and
    ``reviewed``: ``yes``/``no`` where a person judged whether the parent goal is the same goal
    as a worker goal (data/goal_concordance.csv), blank where nobody has yet."""
    site_names: Mapping[str, str]
    threshold: float = DEFAULT_THRESHOLD
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """One row per rater and time point: framework against contrast sites.

        Columns: ``rater`` (worker or parent), ``time_point``, site and family counts by
        group, ``mean_framework`` and ``mean_contrast`` (means of site mean T-scores),
        ``difference`` with ``se``, ``df``, ``low``, ``high`` and ``p_t`` (site-mean t-test),
        ``p_permutation`` and ``smallest_p`` (site permutation test), ``g``, ``g_low``,
        ``g_high`` (Hedges' g), ``sd_within`` and ``icc`` (spread of family T-scores),
        ``families_per_site``, ``mdes`` (SD units) and ``mde`` (T points), ``method``, and the
        strength word with its rates on the design (``strength``, ``strength_null_rate``,
        ``strength_power_at_mde``: :mod:`csceval.site_comparison.verdict`).
        """
        return pd.DataFrame([flat_row(c) for c in self.comparisons], columns=COMPARISON_COLUMNS)

    def summary(self) -> str:
        """The framework-contrast differences, the MDE, and parent-worker agreement."""
        lines = [
            f"{c.rater.capitalize()}-rated goal attainment at {c.time_point}: framework minus "
            f"contrast sites {c.difference:+.1f} T-score points (95% CI {c.low:.1f} to "
            f"{c.high:.1f}; site permutation p = {c.p_permutation:.3f}; minimum detectable "
            f"effect {c.mde:.1f} points)."
            for c in self.comparisons
        ]
        n = self.families[["la_code", "time_point", "family"]].drop_duplicates()
        lines.append(
            f"{len(n)} families in {n['la_code'].nunique()} sites; T-scores with rho = "
            f"{self.rho:g}."
        )
        a = self.agreement
        if a.alpha is not None and a.kappa is not None:
            lines.append(
                f"Parents and workers agreed exactly on {100 * a.exact:.0f}% of {a.n_goals} goals "
                f"(weighted kappa {a.kappa.estimate:.2f}, Krippendorff's alpha "
                f"{a.alpha.estimate:.2f})."
            )
        return "\n".join(lines)


def _rated(goals: pd.DataFrame, pairs: pd.DataFrame, rater: str) -> pd.DataFrame:
    out = goals[[*KEYS, "weight"]].merge(pairs[[*KEYS, rater]], on=KEYS, how="left")
    return out.rename(columns={rater: "rating"}).astype({"weight": float, "rating": float})


def reviewed_pairs(pairs: pd.DataFrame, concordance: pd.DataFrame | None) -> pd.DataFrame:
    """``pairs`` with the reviewed verdict of each parent goal (``yes``, ``no`` or blank).

    A verdict counts whichever worker goal the reviewer compared the parent goal with, since a
    reviewer may see a better match than the word overlap proposed.
    """
    keys = ["la_code", "time_point", "family", "parent_goal"]
    if concordance is None or concordance.empty:
        return pairs.assign(reviewed="")
    verdicts = concordance[[*keys, "matched"]].astype(str).rename(columns={"matched": "reviewed"})
    out = pairs.astype(dict.fromkeys(keys, str)).merge(verdicts, on=keys, how="left")
    return out.assign(reviewed=out["reviewed"].fillna(""))


def _compare(
    families: pd.DataFrame, sites: pd.DataFrame, rater: str, tp: str, seed: int
) -> Comparison | None:
    fam = families[(families["rater"] == rater) & (families["time_point"] == tp)]
    fam = fam[fam["t_score"].notna()]
    site = sites[(sites["rater"] == rater) & (sites["time_point"] == tp)]
    site = site[site["n_families"] > 0]
    fw, ct = site[site["group"] == "framework"], site[site["group"] == "contrast"]
    if fw.empty or ct.empty:
        return None
    test = site_mean_t_test(fw["mean_t"].to_numpy(), ct["mean_t"].to_numpy())
    means, site_in_fw = site["mean_t"].to_numpy(), (site["group"] == "framework").to_numpy()
    perm = site_permutation_test(means, site_in_fw, seed=seed)
    in_fw = (fam["group"] == "framework").to_numpy()
    spread = within_group_spread(fam["t_score"].to_numpy(), fam["la_code"].to_numpy(), in_fw)
    j = hedges_correction(len(fam) - 2)
    per_site = len(fam) / len(site)
    mdes = minimum_detectable_effect_size(len(fw), len(ct), per_site, spread.icc)
    return Comparison(
        rater=rater,
        time_point=tp,
        n_sites_framework=len(fw),
        n_sites_contrast=len(ct),
        n_families_framework=int(in_fw.sum()),
        n_families_contrast=int((~in_fw).sum()),
        mean_framework=float(fw["mean_t"].mean()),
        mean_contrast=float(ct["mean_t"].mean()),
        difference=test.difference,
        se=test.se,
        df=test.df,
        low=test.low,
        high=test.high,
        p_t=test.p_value,
        p_permutation=perm.p_value,
        smallest_p=perm.smallest_p,
        g=j * test.difference / spread.sd_within,
        g_low=j * test.low / spread.sd_within,
        g_high=j * test.high / spread.sd_within,
        sd_within=spread.sd_within,
        icc=spread.icc,
        families_per_site=per_site,
        mdes=mdes,
        mde=mdes * spread.sd_within,
        verdict=contrast_verdict(
            means, site_in_fw, perm.p_value, mdes * spread.sd_within, seed=seed
        ),
    )


def analyse_goal_records(
    goals: pd.DataFrame,
    ratings: pd.DataFrame,
    roles: Mapping[str, str],
    *,
    site_names: Mapping[str, str] | None = None,
    time_points: tuple[str, ...] = (),
    rho: float = DEFAULT_RHO,
    threshold: float = DEFAULT_THRESHOLD,
    seed: int = 0,
    n_boot: int = 500,
    concordance: pd.DataFrame | None = None,
) -> GoalsResult:
    """The whole analysis from the goal and rating tables (checked by the contract)."""
    group = {
        code: "framework" if role in FRAMEWORK_ROLES else "contrast"
        for code, role in roles.items()
        if role in FRAMEWORK_ROLES + CONTRAST_ROLES
    }
    goals = goals[goals["la_code"].astype(str).isin(group)].astype(dict.fromkeys(KEYS, str))
    ratings = ratings.astype(dict.fromkeys(KEYS, str))
    pairs = paired_ratings(ratings)
    pairs = pairs.merge(goals[KEYS], on=KEYS, how="inner")
    fams, sites = [], []
    for rater in RATER_ROLES:
        for tp, part in _rated(goals, pairs, rater).groupby("time_point", sort=True):
            f = family_scores(part, rho).assign(time_point=str(tp), rater=rater)
            s = site_summaries(f).assign(time_point=str(tp), rater=rater)
            fams.append(f)
            sites.append(s)
    families = pd.concat(fams, ignore_index=True) if fams else pd.DataFrame()
    site_frame = pd.concat(sites, ignore_index=True) if sites else pd.DataFrame()
    for frame in (families, site_frame):
        if not frame.empty:
            frame.insert(1, "group", frame["la_code"].map(group))
    tps = tuple(t for t in (time_points or sorted(set(goals["time_point"])))
                if t in set(goals["time_point"]))  # fmt: skip
    comparisons = [
        c
        for tp in tps
        for rater in ("parent", "worker")
        if not families.empty and (c := _compare(families, site_frame, rater, tp, seed)) is not None
    ]
    notes = []
    missing = int(families["n_missing"].sum()) if not families.empty else 0
    if missing:
        notes.append(
            f"{missing} goal ratings were missing (a goal the rater did not rate); those goals "
            "are left out of that rater's T-score for the family."
        )
    return GoalsResult(
        rho=rho,
        time_points=tps,
        families=families,
        sites=site_frame,
        comparisons=tuple(comparisons),
        agreement=rater_agreement(pairs, n_boot=n_boot, seed=seed),
        sites_agreement=site_agreement(pairs),
        double_entry=double_entry_agreement(ratings),
        pairs=reviewed_pairs(goal_pairs(goals, threshold), concordance),
        site_names=dict(site_names or {}),
        threshold=threshold,
        notes=tuple(notes),
    )


def analyse_goals(project: ProjectData) -> GoalsResult:
    """The strand's ``analyse``: the project's goals and ratings with rho = 0.3."""
    settings = project.settings
    return analyse_goal_records(
        project.table("family_goals"),
        project.table("goal_ratings"),
        {s.la_code: s.role for s in settings.sites},
        site_names={s.la_code: s.name for s in settings.sites},
        time_points=tuple(tp.id for tp in settings.periods.time_points),
        concordance=project.table("goal_concordance"),
    )
