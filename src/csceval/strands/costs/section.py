"""The report section for costs and value: costs per pilot and year, the CBA and its uncertainty.

Every table goes through :func:`csceval.disclosure.protect`. Costs are LA-level spending, not
counts of children, so nothing is suppressed, but they are rounded as published and the charts
draw from the published values only. The cost-benefit blocks are built by
:mod:`csceval.strands.costs.section_cba`.
"""

from __future__ import annotations

from csceval.disclosure import DisclosurePolicy
from csceval.report.model import BarChart, Block, Finding, Prose, Section, Series
from csceval.report.questions import COST_BENEFIT, COSTS, Answer
from csceval.strands.costs.analysis import CostsResult
from csceval.strands.costs.grades import Grade, cba_grade, costs_grade
from csceval.strands.costs.section_blocks import M, _block, _label, _value
from csceval.strands.costs.section_cba import cba_blocks

SOURCE = "Project data table data/cost_ledger.csv, converted to one price year by csceval"


def _fy_column(fy: str) -> str:
    return "fy_" + fy.replace("-", "_")


def cost_tables(result: CostsResult, policy: DisclosurePolicy) -> list[Block]:
    """Costs per pilot per year (chart and table), per child, and by category."""
    years, base = result.financial_years, result.base_year
    unit = f"GBP thousand, {base} prices"
    wide = result.by_site_year.pivot(index="site", columns="financial_year", values="total")
    wide = wide.reindex(columns=list(years)).fillna(0.0) / 1e3
    wide.columns = [_fy_column(fy) for fy in wide.columns]
    wide["total"] = wide.sum(axis=1)
    wide = wide.reset_index()
    columns = [_label("site", "Pilot")]
    columns += [_value(_fy_column(fy), fy, unit) for fy in years] + [_value("total", "Total", unit)]
    by_site = _block(
        wide,
        columns,
        policy,
        id="costs-by-site",
        title="Implementation costs by pilot and financial year",
        caption=f"Cost of implementing and maintaining the framework ({unit})",
        source=SOURCE,
        note="Staff time is valued at hours x the unit cost per hour given in the ledger.",
    )
    chart = BarChart(
        id="chart-costs-by-site",
        title="Implementation costs by pilot and financial year",
        table_id=by_site.id,
        label="site",
        series=tuple(Series(_fy_column(fy), fy) for fy in years),
        x_label=f"Cost ({unit})",
        description=f"Horizontal bar chart of each pilot's implementation costs in "
        f"{', '.join(years)}; the {len(wide)} pilots together spent "
        f"{wide['total'].sum():,.0f} thousand pounds ({base} prices).",
    )
    per_child = result.by_site_year.assign(
        one_off=lambda d: d["one_off"] / 1e3,
        ongoing=lambda d: d["ongoing"] / 1e3,
        total=lambda d: d["total"] / 1e3,
    )
    child_unit = f"GBP, {base} prices"
    per_child_block = _block(
        per_child,
        [
            _label("site", "Pilot"),
            _label("financial_year", "Financial year"),
            _value("one_off", "One-off", unit),
            _value("ongoing", "Ongoing", unit),
            _value("total", "Total", unit),
            _value("per_child_in_need", "Per child in need", child_unit, dp=0),
            _value("per_looked_after_child", "Per looked-after child", child_unit, dp=0),
            _value("per_social_worker_fte", "Per social worker (FTE)", child_unit, dp=0),
        ],
        policy,
        id="costs-per-child",
        title="Implementation costs, one-off and ongoing, per child and per social worker",
        caption="Per child: the year's cost over children in need and children looked after "
        "at 31 March at its end; per social worker: over social workers (FTE) at 30 September "
        "within it",
        source=f"{SOURCE}; children from data/indicators.csv",
    )
    cats = result.by_category.copy()
    for fy in years:
        cats[_fy_column(fy)] = cats.get(fy, 0.0) / 1e3
    cats["total"] = cats["total"] / 1e3
    by_category = _block(
        cats,
        [_label("title", "Category")]
        + [_value(_fy_column(fy), fy, unit) for fy in years]
        + [_value("total", "Total", unit)],
        policy,
        id="costs-by-category",
        title="Implementation costs of all pilots by category",
        caption=f"Sum over the pilots ({unit})",
        source=SOURCE,
    )
    return [chart, by_site, per_child_block, by_category]


def render_costs(result: CostsResult, policy: DisclosurePolicy) -> Section:
    """The costs-and-value section of the report."""
    total = result.total_cost / M
    base = result.base_year
    intro = Prose(
        f"What implementing the framework cost the {len(result.sites)} pilots with a cost "
        f"ledger in {', '.join(result.financial_years)}, in {base} prices (GDP deflator; "
        f"see docs/methods.md), and whether the savings from changes in activity could repay "
        "it, following the HM Treasury Green Book."
    )
    costs_strength, cba_strength = costs_grade(result), cba_grade(result)
    blocks: list[Block] = [intro, grades_prose(costs_strength, cba_strength)]
    blocks += cost_tables(result, policy)
    findings = [
        Finding(
            f"The pilots' recorded implementation costs came to GBP {total:,.2f} million in "
            f"{base} prices over {', '.join(result.financial_years)}.",
            costs_strength.strength,
        )
    ]
    more, sentences = cba_blocks(result, policy)
    blocks += more
    findings += [
        Finding(text, cba_strength.strength if _is_cba_result(text) else None) for text in sentences
    ]
    if not more:
        reason = result.no_cba_reason
        blocks.append(Prose(f"No cost-benefit analysis: {reason}"))
        findings.append(Finding(f"The savings are unknown: {reason}", cba_strength.strength))
        if result.change_notes:
            blocks.append(Prose("\n\n".join(result.change_notes)))
    return Section(
        id="costs",
        title="Costs and value",
        summary="What the framework cost each pilot to implement and maintain, and whether the "
        "savings from changes in activity could repay it, with the uncertainty around that.",
        findings=tuple(findings),
        blocks=tuple(blocks),
        answers=_answers(findings),
    )


def grades_prose(costs: Grade, cba: Grade) -> Prose:
    """How strong the two results are, and why (the rules are in :mod:`.grades`)."""
    return Prose(
        f"How firm these results are. The implementation costs are a measurement, graded by "
        f"how complete the pilots' cost returns are: {costs.strength}, as {costs.reason}. "
        f"The cost-benefit result is graded {cba.strength}: {cba.reason}."
    )


def _is_cba_result(text: str) -> bool:
    """Whether a finding states the cost-benefit result (its net present value)."""
    return "net present value" in text and "simulations" not in text


def _answers(findings: list[Finding]) -> tuple[Answer, ...]:
    """The implementation costs (the first finding) and the cost-benefit result, as the
    findings word them and grade them: the net present value, or why the savings are unknown;
    the share of simulations in which savings exceeded costs says how sure that is."""
    cba = [f for f in findings if _is_cba_result(f.text) or f.text.startswith("The savings are")]
    sure = [f.text for f in findings if "simulations" in f.text]
    answers = [Answer(COSTS, findings[0].text, findings[0].strength)]
    if cba:
        answers.append(
            Answer(COST_BENEFIT, cba[0].text, cba[0].strength, detectable=sure[0] if sure else "")
        )
    return tuple(answers)
