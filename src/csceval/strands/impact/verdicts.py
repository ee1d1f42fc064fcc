"""Verdicts with a stated meaning: thresholds calibrated on the design's own null draws.

Notes
-----
**The rule.** Per indicator the headline test is the first the plan ran of the random-trend
model, pooled synthetic control, Callaway-Sant'Anna and synthetic DiD (:data:`HEADLINE_METHODS`);
the *other methods* are the rest of those (:data:`CORROBORATING`). The random-trend model leads
because, where a plan has it, it is the most precise of them on the real LA panel and removes the
synthetic control's bias on persistent, trending series (docs/methods.md, "How much of the
drift could any estimator remove?"). With ``p`` its design-calibrated
p-value (:mod:`.design_stats`) and ``p_fw`` its family-wise p-value over all analysed
indicators (max-T: the largest statistic over the indicators within each null draw):

- **none**: no headline estimate, or ``p >= 0.10`` and no other method's 95% interval excludes
  zero;
- **low**: the rest, and at most low when the methods disagree in sign or a pre-adoption
  event-study effect lies outside its uniform band;
- **moderate**: ``p <= 0.02`` and ``p_fw <= 0.05``, the methods agree in sign, no pre-trend;
- **high**: moderate, and another method's interval excludes zero on the same side, that
  method's own real size not beyond nominal by more than two MC errors (an over-rejecting
  method never corroborates).

So "moderate or stronger" occurs in at most 2% of null draws per indicator and 5% family-wise
(up to MC error), by construction; the report states, for each label, the share of null draws
and of draws with an effect of the MDE that get it (operating characteristics, computed by
applying the same rule to each draw; pre-trends are not drawn, so "high" there is an upper
bound).

**Fallback.** With fewer than :data:`~csceval.impact.multiplicity.MIN_RANK_DRAWS` draws a 2%
p-value cannot occur, so the rule uses the headline's nominal p-value and Holm's adjustment
over the indicators instead, and the report says so (no operating characteristics then).

**Adjusted p-values shown.** The primary outcome's p-value is unadjusted; the secondary ones
(or all, without a primary) are adjusted as one family, by max-T on the draws or by Holm.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeGuard

import numpy as np
from scipy.stats import norm

from csceval.impact.estimands import HEADLINE_METHODS
from csceval.impact.multiplicity import (
    FAMILY_P,
    LOW_P,
    MIN_RANK_DRAWS,
    MODERATE_P,
    holm,
    rank_p,
)
from csceval.report.model import Strength
from csceval.strands.impact.design import DesignDraws, MethodDraws
from csceval.strands.impact.design_stats import (
    FloatArray,
    MethodStats,
    method_stats,
    statistic,
    to_analysis,
)
from csceval.strands.impact.outcomes import OutcomePlan

if TYPE_CHECKING:
    from csceval.strands.impact.estimates import Estimate, IndicatorImpact

STRENGTHS: tuple[Strength, ...] = ("high", "moderate", "low", "none")
HEADLINE_ORDER = (
    "the random-trend model, the pooled synthetic control (randomization test), "
    "Callaway-Sant'Anna and synthetic DiD"
)
""":data:`HEADLINE_METHODS` in words, for the report."""
CORROBORATING = HEADLINE_METHODS
"""Methods whose interval may corroborate (or contradict) the headline."""
Corroborates = Callable[[str, str], bool]
"""``(indicator, method)``: may the method corroborate (its size measured, not over-rejecting)?"""


@dataclass(frozen=True)
class Signals:
    """What the rule reads for one indicator, observed or on one draw."""

    p: float
    p_family: float
    head_sign: float
    others: tuple[tuple[float, bool, bool], ...]
    """Per other method: sign, interval excludes zero, may corroborate (not over-rejecting)."""
    pretrend: bool = False


def label(s: Signals) -> tuple[Strength, str]:
    """The strength of evidence and why (see the module notes)."""
    if not math.isfinite(s.p):
        return "none", "the headline test was not estimable"
    signal = any(excl for _, excl, _ in s.others)
    if s.p >= LOW_P and not signal:
        return "none", "no test finds a change"
    if any(sign != s.head_sign for sign, _, _ in s.others if sign):
        return "low", "the methods disagree in sign"
    if s.pretrend:
        return "low", "a pre-adoption effect lies outside the event-study band"
    if s.p > MODERATE_P:
        return "low", f"p above {MODERATE_P:.0%}"
    if s.p_family > FAMILY_P:
        return "low", f"the family-wise p-value is above {FAMILY_P:.0%}"
    if any(excl and ok and sign == s.head_sign for sign, excl, ok in s.others):
        return "high", "another method, not over-rejecting, excludes zero on the same side"
    return "moderate", "no other method that does not over-reject corroborates"


@dataclass(frozen=True)
class Verdict:
    """One indicator's verdict with its p-values and operating characteristics."""

    strength: Strength
    reason: str
    headline: str
    """The headline method (empty when none ran)."""
    p_value: float
    """Design-calibrated (or, in the fallback, nominal) p-value of the headline."""
    p_family: float
    """Family-wise over all analysed indicators (what the rule uses)."""
    p_adjusted: float
    """As shown: unadjusted for the primary outcome, else adjusted within the family."""
    null_rates: Mapping[str, float] | None = None
    """Share of null draws with each label."""
    mde_rates: Mapping[str, float] | None = None
    """Share of draws with an effect of the headline's MDE with each label."""


@dataclass(frozen=True)
class Assessment:
    """Every indicator's verdict, the methods' statistics and how p-values were adjusted."""

    verdicts: Mapping[str, Verdict]
    stats: Mapping[str, Mapping[str, MethodStats]]
    mode: str
    """``design`` (p-values from the draws, max-T) or ``nominal`` (nominal p-values, Holm)."""
    draws: int
    family_null_rate: float = math.nan
    """Share of null draws with "moderate" or stronger on some indicator."""

    @property
    def adjustment(self) -> str:
        return "max-T" if self.mode == "design" else "Holm"


def headline_of(impact: IndicatorImpact) -> Estimate | None:
    """The headline estimate (see the notes), or None when no headline method ran."""
    return next((e for m in HEADLINE_METHODS if (e := impact.get(m)) is not None), None)


def _estimated(e: Estimate | None) -> TypeGuard[Estimate]:
    return e is not None and e.estimable and math.isfinite(e.estimate)


def nominal_p(e: Estimate, scale: str) -> float:
    """The estimate's own p-value, else a normal one from its interval (analysis scale)."""
    if math.isfinite(e.p_value):
        return e.p_value
    low, high, x = (to_analysis(v, scale) for v in (e.low, e.high, e.estimate))
    if not all(math.isfinite(v) for v in (low, high, x)) or high <= low:
        return math.nan
    return float(2 * norm.sf(abs(x) / ((high - low) / (2 * norm.ppf(0.975)))))


def assess(
    indicators: Sequence[IndicatorImpact],
    design: DesignDraws | None,
    sizes: Mapping[str, Mapping[str, MethodStats]] | None,
    plan: OutcomePlan,
) -> Assessment:
    """The verdicts of ``indicators``. ``sizes``: per indicator and method the statistics whose
    size decides over-rejection (an override file's or shipped figures); None: the design's."""
    stats = {
        i: {m: method_stats(md) for m, md in d.methods.items()}
        for i, d in (design.indicators.items() if design else ())
    }
    draws = design.draws if design else 0
    heads = {imp.indicator.id: headline_of(imp) for imp in indicators}

    lookup = stats if sizes is None else sizes

    def ok(indicator: str, method: str) -> bool:
        s = lookup.get(indicator, {}).get(method)
        return s is not None and s.reliable and not s.over_rejects

    def others(imp: IndicatorImpact, head: Estimate) -> tuple[tuple[float, bool, bool], ...]:
        return tuple(
            (float(np.sign(e.estimate)), not e.low <= 0 <= e.high, ok(imp.indicator.id, e.method))
            for m in CORROBORATING
            if m != head.method
            and _estimated(e := imp.get(m))
            and math.isfinite(e.low)
            and math.isfinite(e.high)
        )

    ids = [imp.indicator.id for imp in indicators]
    design_ok = design is not None and draws >= MIN_RANK_DRAWS
    t_null: dict[str, FloatArray] = {}
    p, observed_t = {}, {}
    for imp in indicators:
        i, head = imp.indicator.id, heads[imp.indicator.id]
        s = stats.get(i, {}).get(head.method) if head else None
        if design_ok and head and s is not None and math.isfinite(s.spread):
            md = design.indicators[i].methods[head.method]  # type: ignore[union-attr]
            t_null[i] = statistic(np.asarray(md.estimates), s.centre, s.spread)
            x = to_analysis(head.estimate, imp.scale) if _estimated(head) else math.nan
            observed_t[i] = float(statistic(x, s.centre, s.spread))
            p[i] = float(rank_p(observed_t[i], t_null[i][np.isfinite(t_null[i])])[0])
        else:
            p[i] = nominal_p(head, imp.scale) if head and _estimated(head) else math.nan
    mode = (
        "design"
        if design_ok and len(t_null) == len([h for h in heads.values() if h])
        else "nominal"
    )
    if mode == "nominal":  # one kind of p-value for every indicator
        p = {
            i: nominal_p(h, m.scale) if _estimated(h := heads[i]) else math.nan
            for i, m in zip(ids, indicators, strict=True)
        }
    if mode == "design":
        grid = np.vstack([t_null[i] for i in t_null])
        fam_all = _maxima(grid)
        family = [i for i in plan.family if i in t_null]
        fam_plan = _maxima(np.vstack([t_null[i] for i in family])) if family else fam_all
        p_fw = {i: float(rank_p(observed_t[i], fam_all)[0]) for i in t_null}
        p_adj = {
            i: float(rank_p(observed_t[i], fam_plan)[0]) if i in family else p[i] for i in t_null
        }
    else:
        p_fw = dict(zip(ids, holm([p[i] for i in ids]), strict=True))
        family = [i for i in ids if i in plan.family]
        adjusted = dict(zip(family, holm([p[i] for i in family]), strict=True))
        p_adj = {i: adjusted.get(i, p[i]) for i in ids}
    verdicts = {}
    for imp in indicators:
        i, head = imp.indicator.id, heads[imp.indicator.id]
        if head is None or not _estimated(head):
            verdicts[i] = Verdict(
                "none",
                "the headline test was not estimable",
                head.method if head else "",
                math.nan,
                math.nan,
                math.nan,
            )
            continue
        pretrend = any(e.pretrend for e in imp.estimates if e.method in ("did", "sdid"))
        sig = Signals(
            p[i], p_fw.get(i, math.nan), float(np.sign(head.estimate)), others(imp, head), pretrend
        )
        strength, why = label(sig)
        verdicts[i] = Verdict(strength, why, head.method, p[i], sig.p_family, p_adj.get(i, p[i]))
    rate = math.nan
    if mode == "design" and design is not None:
        verdicts, rate = _with_rates(verdicts, design, stats, t_null, heads, ok)
    return Assessment(verdicts, stats, mode, draws, rate)


def _maxima(grid: FloatArray) -> FloatArray:
    """Per draw (column) the largest finite statistic over the indicators (rows)."""
    finite = np.isfinite(grid).any(axis=0)
    return np.asarray(np.max(np.where(np.isfinite(grid), grid, -np.inf)[:, finite], axis=0))


def _with_rates(
    verdicts: dict[str, Verdict],
    design: DesignDraws,
    stats: Mapping[str, Mapping[str, MethodStats]],
    t_null: Mapping[str, FloatArray],
    heads: Mapping[str, Estimate | None],
    may: Corroborates,
) -> tuple[dict[str, Verdict], float]:
    """Add each label's share of null draws and of MDE draws (the same rule on every draw)."""
    fam_all = _maxima(np.vstack(list(t_null.values())))
    strong = np.zeros(design.draws, dtype=bool)
    out = dict(verdicts)
    for i in t_null:
        head = heads[i]
        if head is None:
            continue
        s = stats[i][head.method]
        draws = _DrawView(i, head.method, design.indicators[i].methods, s, may)
        null = draws.labels(0.0, t_null[i], fam_all, null=True)
        strong |= np.isin(null, ("moderate", "high"))
        mde = draws.labels(s.mde, t_null[i], fam_all, null=False) if math.isfinite(s.mde) else []
        out[i] = replace(out[i], null_rates=_shares(null), mde_rates=_shares(mde) if mde else None)
    return out, float(strong.mean())


@dataclass(frozen=True)
class _DrawView:
    """One indicator's draws, labelled by the rule as if each draw were the observed result."""

    indicator: str
    head: str
    methods: Mapping[str, MethodDraws]
    stats: MethodStats
    may: Corroborates

    def labels(self, shift: float, t_null: FloatArray, maxima: FloatArray, null: bool) -> list[str]:
        """The label of every draw (failed draws: ``none``) with every estimate moved by
        ``shift``; on the null draws each p-value counts the draw itself (exact uniformity)."""
        valid = t_null[np.isfinite(t_null)]
        rivals = [m for m in CORROBORATING if m != self.head and m in self.methods]
        out: list[str] = []
        for j, e in enumerate(self.methods[self.head].estimates):
            if not math.isfinite(e):
                out.append("none")
                continue
            t = abs(e + shift - self.stats.centre) / self.stats.spread
            if null:
                p, p_fw = float(np.mean(valid >= t)), float(np.mean(maxima >= t))
            else:
                p, p_fw = float(rank_p(t, valid)[0]), float(rank_p(t, maxima)[0])
            rows = []
            for m in rivals:
                x, h = self.methods[m].estimates[j] + shift, self.methods[m].half_widths[j]
                if math.isfinite(x) and math.isfinite(h):
                    rows.append((float(np.sign(x)), abs(x) > h, self.may(self.indicator, m)))
            out.append(label(Signals(p, p_fw, float(np.sign(e + shift)), tuple(rows)))[0])
        return out


def _shares(labels: list[str]) -> dict[str, float]:
    return {s: labels.count(s) / len(labels) for s in STRENGTHS} if labels else {}
