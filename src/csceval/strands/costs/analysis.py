"""The cost strand's analysis: ledger in one price base, costs per site and year, CBA and PSA.

Choices recorded here and in docs/methods.md:

- Every cost is converted to the evaluation's ``price_year`` with the deflator (price_base.py).
- Year 0 of the appraisal is the first of the evaluation's financial years. Years covered by the
  ledger carry its costs; after them, when ``ongoing_costs_continue``, each site's ongoing costs
  of the last ledger year recur every year to the horizon (the framework must be maintained for
  its benefits to last).
- Savings accrue in full from ``benefits_start_year`` to the end of the horizon.
- The changes in activity come from the impact strand's headline estimates
  (:mod:`csceval.strands.costs.from_impact`), or, with ``[costs] activity_source =
  "child-level"``, from the child-level strand's (never both), with the rows of
  ``data/activity_changes.csv`` replacing them activity by activity (the evaluator's explicit
  assumption). Without an impact
  result and without that table the savings are unknown: costs are reported, no CBA is made.
- Costs per child divide a site's cost in a financial year by its children in need and children
  looked after at 31 March at the end of that year, and per social worker by its children and
  family social workers (FTE) at 30 September within it (``data/indicators.csv``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from csceval.project import ProjectData, Site
from csceval.project.settings import CostSettings
from csceval.strands.costs.categories import CATEGORIES
from csceval.strands.costs.cba import ActivityChange, BenefitLine, CBAModel, CBAResult
from csceval.strands.costs.from_impact import (
    changes_from_child_impact,
    changes_from_impact,
    impact_strengths,
)
from csceval.strands.costs.inputs import activity_changes_of, deflator_of, unit_costs_of
from csceval.strands.costs.ledger import ledger_in_prices
from csceval.strands.costs.price_base import Deflator
from csceval.strands.costs.psa import PSAResult, run_psa
from csceval.strands.costs.psa_operating import PhraseRates, phrase_rates
from csceval.strands.costs.unit_costs import UnitCost
from csceval.strands.strand import StrandInputs

PER_UNIT = {
    "cin_count_31mar": ("per_child_in_need", 1),
    "cla_count_31mar": ("per_looked_after_child", 1),
    "sw_fte": ("per_social_worker_fte", 0),
}
"""Indicator -> (column, year offset): counts at 31 March are read at the end of the financial
year (2017-18 -> 2018); the workforce at 30 September inside it (2017-18 -> 2017)."""


@dataclass(frozen=True)
class CostsResult:
    """What the cost strand found (pure data, no I/O)."""

    base_year: str
    settings: CostSettings
    deflator: Deflator
    financial_years: tuple[str, ...]
    site_names: dict[str, str]
    ledger: pd.DataFrame
    """Each ledger row with ``cost_gbp`` (own prices) and ``real_gbp`` (base-year prices)."""
    by_site_year: pd.DataFrame
    by_category: pd.DataFrame
    site_costs: NDArray[np.float64]
    """Sites x appraisal years, base-year prices, before optimism bias (rows: ``sites``)."""
    sites: tuple[str, ...]
    unit_costs: dict[str, UnitCost]
    """Unit costs used, in base-year prices."""
    original_unit_costs: dict[str, UnitCost]
    """The same unit costs as given, in their own price years."""
    model: CBAModel | None
    cba: CBAResult | None
    psa: PSAResult | None
    impact_given: bool = False
    """Whether the impact strand's result was there to derive the activity changes from."""
    overridden: tuple[str, ...] = ()
    """Activities whose change is the evaluator's ``data/activity_changes.csv`` row."""
    change_notes: tuple[str, ...] = ()
    """Impact estimates that could not be turned into a valued change, and why."""
    impact_strengths: dict[str, str] = field(default_factory=dict)
    """Activity -> the impact section's strength of evidence of the estimate behind it."""
    activity_source: str = "la-level"
    """``[costs] activity_source``: la-level (strand impact) or child-level (child-impact)."""
    expected_returns: tuple[tuple[str, str], ...] = ()
    """(pilot LA code, financial year) of every cost return the plan expects: each pilot (and
    exited pilot, up to its exit) in each of the evaluation's financial years."""
    phrases: PhraseRates | None = None
    """How often the reading's "likely"/"very likely" occurs on this design with no effect and
    with a detectable one (:mod:`.psa_operating`); ``None`` when not measured."""

    @property
    def missing_returns(self) -> tuple[tuple[str, str], ...]:
        """The expected (pilot, financial year) returns with no row in the ledger."""
        have = set(zip(self.ledger["la_code"], self.ledger["financial_year"], strict=True))
        return tuple(pair for pair in self.expected_returns if pair not in have)

    @property
    def total_cost(self) -> float:
        return float(self.ledger["real_gbp"].sum())

    @property
    def no_cba_reason(self) -> str:
        """Why there is no cost-benefit analysis (when there is none)."""
        if not self.impact_given:
            strand = "child-level impact" if self.activity_source == "child-level" else "impact"
            return (
                f"the {strand} strand did not run and no activity changes were entered "
                "(data/activity_changes.csv), so the savings are unknown and there is no "
                "cost-benefit analysis."
            )
        return (
            "no impact estimate could be turned into a valued change in activity, so the "
            "savings are unknown and there is no cost-benefit analysis."
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per pilot and financial year: its costs in GBP at ``base_year`` prices.

        Columns: ``la_code``, ``site``, ``financial_year`` (e.g. ``2017-18``), ``one_off``,
        ``ongoing``, ``total``, and ``total`` per child in need, per looked-after child (at the
        31 March ending the year) and per social worker FTE (at 30 September within it):
        ``per_child_in_need``, ``per_looked_after_child``, ``per_social_worker_fte`` (NaN
        without the count). The CBA and its simulations are ``cba`` and ``psa``.
        """
        return self.by_site_year.reindex(columns=list(COST_COLUMNS))

    def summary(self) -> str:
        """Total cost, then the cost-benefit analysis's central result and its uncertainty."""
        cost = (
            f"Implementation cost GBP {self.total_cost / 1e6:,.2f} million ({self.base_year} "
            f"prices, {len(self.sites)} pilots, {', '.join(self.financial_years)})"
        )
        if self.model is None or self.cba is None:
            return f"{cost}; {self.no_cba_reason}"
        cba, ratio = self.cba, self.cba.bcr
        lines = [
            f"{cost}; net present value GBP {cba.npv / 1e6:,.1f} million over "
            f"{self.model.horizon} years"
            + (f", benefit-cost ratio {ratio:.2f}." if ratio is not None else "."),
            f"Present values: savings GBP {cba.pv_benefits / 1e6:,.1f} million, costs GBP "
            f"{cba.pv_costs / 1e6:,.1f} million (optimism bias included).",
            "Changes in activity a year: "
            + "; ".join(
                f"{line.label} {line.change.change:+,.1f} ("
                + ("entered by the evaluator" if line.change.baseline is None else "estimated")
                + ")"
                for line in self.model.lines
            )
            + (" (more activity: a cost, not a saving)." if cba.pv_benefits < 0 else "."),
        ]
        if self.psa is not None:
            low, high = self.psa.npv_interval()
            lines.append(
                f"Savings exceeded costs in {self.psa.prob_benefits_exceed_costs:.0%} of "
                f"{self.psa.draws:,} simulations (95% interval for the net present value: GBP "
                f"{low / 1e6:,.1f} to {high / 1e6:,.1f} million)."
            )
        return "\n".join(lines)


COST_COLUMNS = (
    "la_code", "site", "financial_year", "one_off", "ongoing", "total", "per_child_in_need",
    "per_looked_after_child", "per_social_worker_fte",
)  # fmt: skip
"""The columns of :meth:`CostsResult.to_frame`."""


def _by_site_year(
    ledger: pd.DataFrame, project: ProjectData, years: Sequence[str], names: dict[str, str]
) -> pd.DataFrame:
    rows = []
    indicators = project.table("indicators")
    for code in names:
        for fy in years:
            mine = ledger[(ledger["la_code"] == code) & (ledger["financial_year"] == fy)]
            one_off = float(mine.loc[mine["one_off_or_ongoing"] == "one_off", "real_gbp"].sum())
            ongoing = float(mine.loc[mine["one_off_or_ongoing"] == "ongoing", "real_gbp"].sum())
            row: dict[str, object] = {
                "la_code": code,
                "site": names[code],
                "financial_year": fy,
                "one_off": one_off,
                "ongoing": ongoing,
                "total": one_off + ongoing,
            }
            for indicator, (column, offset) in PER_UNIT.items():
                hit = indicators[
                    (indicators["la_code"] == code)
                    & (indicators["year"] == int(fy[:4]) + offset)
                    & (indicators["indicator"] == indicator)
                ]["value"]
                n = float(hit.iloc[0]) if len(hit) else np.nan
                row[column] = (one_off + ongoing) / n if n > 0 else np.nan
            rows.append(row)
    return pd.DataFrame(rows)


def _by_category(ledger: pd.DataFrame, years: Sequence[str]) -> pd.DataFrame:
    table = (
        ledger.pivot_table(
            index="category", columns="financial_year", values="real_gbp", aggfunc="sum"
        )
        .reindex(index=list(CATEGORIES), columns=list(years))
        .fillna(0.0)
    )
    table["total"] = table.sum(axis=1)
    table = table[table["total"] != 0]
    out = table.reset_index()
    out.insert(1, "title", out["category"].map(CATEGORIES))
    return out


def site_cost_timeline(
    ledger: pd.DataFrame, sites: Sequence[str], years: Sequence[str], settings: CostSettings
) -> NDArray[np.float64]:
    """Sites x appraisal years of implementation costs (base-year prices)."""
    horizon = max(settings.horizon_years, len(years))
    out = np.zeros((len(sites), horizon))
    for s, code in enumerate(sites):
        mine = ledger[ledger["la_code"] == code]
        for t, fy in enumerate(years):
            out[s, t] = mine.loc[mine["financial_year"] == fy, "real_gbp"].sum()
        if settings.ongoing_costs_continue and years:
            last = mine[(mine["financial_year"] == years[-1])]
            out[s, len(years) :] = last.loc[
                last["one_off_or_ongoing"] == "ongoing", "real_gbp"
            ].sum()
    return out


def benefit_lines(
    changes: Sequence[ActivityChange], unit_costs: dict[str, UnitCost], settings: CostSettings
) -> tuple[BenefitLine, ...]:
    """Each change valued at its unit cost (base prices); SE of the cost as stated or assumed."""
    lines = []
    for change in changes:
        u = unit_costs[change.activity]
        se = u.se_gbp if u.se_gbp is not None else settings.unit_cost_se_share * u.cost_gbp
        lines.append(BenefitLine(change, u.unit, u.cost_gbp, se, u.source))
    return tuple(lines)


def chosen_changes(
    project: ProjectData, impact: Any, pilots: Sequence[Site], valued: set[str]
) -> tuple[tuple[ActivityChange, ...], tuple[str, ...], tuple[str, ...]]:
    """Changes derived from the chosen source's result (``[costs] activity_source``: the
    impact strand's, or the child-level strand's), with the project's table rows replacing
    theirs, by activity.

    Returns the changes, the overridden activities and notes on estimates left out.
    """
    entered = activity_changes_of(project.tables)
    overridden = tuple(dict.fromkeys(c.activity for c in entered))
    if impact is None:
        return entered, overridden, ()
    if project.settings.costs.activity_source == "child-level":
        derived = changes_from_child_impact(impact, valued)
    else:
        years = project.settings.periods.financial_years
        derived = changes_from_impact(
            impact, project.table("indicators"), pilots, years[0] if years else "", valued
        )
    kept = tuple(c for c in derived.changes if c.activity not in overridden)
    return kept + entered, overridden, derived.notes


def expected_returns(pilots: Sequence[Site], years: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """(LA code, financial year) of each pilot's expected cost return: every financial year of
    the evaluation that starts before the pilot's exit (if it exited)."""
    return tuple(
        (s.la_code, fy)
        for s in sorted(pilots, key=lambda site: site.la_code)
        for fy in years
        if s.exit_date is None or f"{fy[:4]}-04-01" <= s.exit_date.isoformat()
    )


def analyse_costs(
    project: ProjectData, changes: Sequence[ActivityChange] | None = None, impact: Any = None
) -> CostsResult:
    """The cost strand: costs, and a CBA of the activity changes.

    ``impact`` is the result of the source ``[costs] activity_source`` names: the impact
    strand's (read through its ``to_frame()``) or the child-level strand's (its
    ``activity_frame()``); ``changes``, when given, replace both it and the project's table
    (tests, notebooks).
    """
    settings = project.settings
    cost_settings = settings.costs
    base = settings.evaluation.price_year
    deflator = deflator_of(project.tables)
    ledger = ledger_in_prices(project.table("cost_ledger"), deflator, base)
    years = tuple(settings.periods.financial_years)
    names = {s.la_code: s.name for s in project.pilots if s.la_code in set(ledger["la_code"])}
    names = dict(sorted(names.items()))
    sites = tuple(names)
    original = unit_costs_of(project.tables)
    unit_costs = {k: u.in_prices_of(deflator, base) for k, u in original.items()}
    timeline = site_cost_timeline(ledger, sites, years, cost_settings)
    pilots = [s for s in project.pilots if s.la_code in names]
    overridden: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    if changes is not None:
        chosen = tuple(changes)
    else:
        chosen, overridden, notes = chosen_changes(project, impact, pilots, set(unit_costs))
    model = cba = psa = phrases = None
    if chosen:
        horizon = timeline.shape[1]
        profile = (np.arange(horizon) >= cost_settings.benefits_start_year).astype(float)
        model = CBAModel(
            costs=timeline.sum(axis=0),
            lines=benefit_lines(chosen, unit_costs, cost_settings),
            benefit_profile=profile,
            optimism_bias=cost_settings.optimism_bias,
            schedule=cost_settings.discount_schedule,
            cost_se_share=cost_settings.cost_se_share,
        )
        cba = model.evaluate()
        site_pv = timeline @ model.factors
        psa = run_psa(model, cost_settings.draws, cost_settings.seed, site_pv_costs=site_pv)
        phrases = phrase_rates(model, site_pv, cost_settings.seed)
    return CostsResult(
        base_year=base,
        settings=cost_settings,
        deflator=deflator,
        financial_years=years,
        site_names=names,
        ledger=ledger,
        by_site_year=_by_site_year(ledger, project, years, names),
        by_category=_by_category(ledger, years),
        site_costs=timeline,
        sites=sites,
        unit_costs=unit_costs,
        original_unit_costs=original,
        model=model,
        cba=cba,
        psa=psa,
        impact_given=impact is not None,
        overridden=overridden,
        change_notes=notes,
        impact_strengths=impact_strengths(impact)
        if changes is None and impact is not None and cost_settings.activity_source == "la-level"
        else {},
        activity_source=cost_settings.activity_source,
        expected_returns=expected_returns(settings.sites_with_role("pilot", "exited"), years),
        phrases=phrases,
    )


SOURCE_STRAND = {"la-level": "impact", "child-level": "child-impact"}
"""``[costs] activity_source`` -> the strand whose result drives the savings."""


def analyse_costs_strand(inputs: StrandInputs) -> CostsResult:
    """The strand's ``analyse``: the chosen source's result, when it ran, drives the savings."""
    source = SOURCE_STRAND[inputs.settings.costs.activity_source]
    return analyse_costs(inputs, impact=inputs.results.get(source))
