"""The impact strand: run the plan's estimators on the project's pilots, indicator by indicator.

Notes
-----
**Adoption year.** A pilot's adoption year is the first year ending 31 March after its
``implementation_start`` (the DfE year that contains the start: 2017-10-01 -> 2018). That year
counts as treated, so any effect of the early, partial implementation is in the estimate
rather than in the pre-period fit. Pilots without an implementation start are left out.

**Indicators.** Only the plan's indicators that are in :data:`HEADLINE_INDICATORS` are
analysed (the outcomes the framework is meant to move), in the plan's order; when the plan
names none of them, its first four indicators are used. This keeps the demo quick and the
multiple-testing burden small. A plan that states ``primary``/``secondary`` outcomes gets exactly
those, primary first (:mod:`.outcomes`). The design calibration behind sizes, MDEs and verdicts
arrives as the derived input ``inputs.derived["design"]`` (:mod:`.design`).

**Data.** Per indicator, the span is the latest unbroken run of years in which any LA has a
value. Pilots and donors must have a value in every year of the span (a balanced panel, which
every estimator needs); those with a suppressed or missing year are dropped with a note
naming how many. A pilot whose adoption year leaves fewer than ``[impact] min_pre_years``
(default and minimum 3) years of pre-period, or falls after the span, is dropped too; each
dropped pilot is named with its reason (the rule of the key-indicators entry table). Two
demeaned pre-years are fitted exactly by any two donors that bracket the pilot, so the fit says
nothing and the placebo ratio test degenerates; with three or more, exact fits still occur
(the demeaned path has ``k - 1`` dimensions and ~50-150 donors), and are detected (pre-RMSPE at
most 1e-6 of the pre-period scale), named in the notes and kept out of the RMSPE-ratio test
(:mod:`csceval.impact.synth_placebo`). Anything that leaves nothing to estimate is reported as
"not estimable" with the reason, never raised.

**Scale.** Rates per 10,000 children are analysed on the log scale and reported as relative
(per cent) changes, ``100 (exp(x) - 1)`` of each log-scale estimate, interval end and gap.
Rates differ three-fold between LAs and national changes move them proportionally, so parallel
trends hold in logs, not in levels: on synthetic England, where pilots have lower rates than
their comparators, level-scale estimates of the CLA effect were biased by a quarter of the
effect and the null referral tests rejected 7.5-9.5% (``csceval impact recovery``, see
docs/methods.md). A zero rate has no log and counts as missing. Percentages, caseloads and
the other indicators stay on their own scale (percentage points, etc.).

**Estimators** (from ``[analysis].estimators``):

- ``synth``: pooled outcome-only synthetic control (demeaned, equal V, every pre-period
  outcome: the weights match each pilot's path, not its level, see :class:`SynthSpec`), the
  headline: the mean effect over pilots tested against :data:`SYNTH_DRAWS` pseudo-pilot sets
  re-drawn from the comparators (randomization p-value); per-pilot fits with their in-space
  placebo (RMSPE-ratio) p-values.
- ``did``: Callaway-Sant'Anna, never-treated comparators, doubly robust, simple aggregation
  for the estimate and dynamic aggregation with a uniform (sup-t) band for the event study,
  multiplier bootstrap with :data:`N_BOOT` draws clustered by LA; the estimate's interval and
  p-value use a t distribution on (pilots - 1) degrees of freedom, since the standard error
  rests on the few treated LAs (with normal values its 95% intervals covered 89-96% in the
  recovery study, 94-97% with t; docs/methods.md).
- ``sdid``: synthetic DiD per adoption cohort, aggregated, jackknife standard error.
- ``trend``: the random-trend model (:mod:`csceval.impact.random_trend`), each pilot's
  counterfactual predicted from its own pre-adoption gaps from the comparators' mean under LA
  trends and AR(1) noise whose sizes are fitted by REML on the comparators; normal interval
  (the standard error counts the comparators' mean shared by every pilot's gap). Where the
  plan has it, it is the headline (:mod:`.verdicts`) and the others may corroborate it; its
  real size is measured on the design like the others'.
- ``its``: controlled ITS of each pilot against the comparators' mean, drawn as a chart of the
  mean observed gap change by years since adoption (:mod:`.its_chart`), never extrapolated and
  never a row of the estimates table, since its calibrated size is 28-48% at nominal 5%.
"""

from __future__ import annotations

from csceval.indicators.catalogue import BY_ID
from csceval.indicators.panel import wide_panel
from csceval.project import ProjectData
from csceval.project.comparators import choose_comparators
from csceval.strands.impact.methods import N_BOOT, SYNTH_DRAWS, analyse_indicator
from csceval.strands.impact.outcomes import HEADLINE_INDICATORS as HEADLINE_INDICATORS
from csceval.strands.impact.outcomes import adoption_years as adoption_years
from csceval.strands.impact.outcomes import analysed_indicators, outcome_plan
from csceval.strands.impact.results import ImpactResult, calibration_for
from csceval.strands.strand import StrandInputs

IMPACT_ESTIMATORS: tuple[str, ...] = ("synth", "did", "sdid", "its", "trend")


def impact_available(project: ProjectData) -> bool:
    """The plan lists an impact estimator and there are pilots with adoption dates."""
    plan = set(project.settings.analysis.estimators)
    return (
        bool(plan & set(IMPACT_ESTIMATORS))
        and bool(adoption_years(project))
        and not project.table("indicators").empty
    )


def analyse_impact(project: StrandInputs) -> ImpactResult:
    """Run the plan's impact estimators on each headline indicator."""
    adoption = adoption_years(project)
    comparators = choose_comparators(project)
    estimators = tuple(e for e in project.settings.analysis.estimators if e in IMPACT_ESTIMATORS)
    own = project.file("impact_calibration")  # parsed and checked when the project loaded
    design = getattr(project, "derived", {}).get("design")  # drawn by the pipeline (.design)
    calibration = calibration_for(own, design)
    names = {s.la_code: s.name for s in project.pilots}
    results = tuple(
        analyse_indicator(
            BY_ID[i],
            wide_panel(project, i),
            adoption,
            comparators.la_codes,
            estimators,
            calibration,
            names,
            project.settings.impact.min_pre_years,
        )
        for i in analysed_indicators(project.settings)
    )
    notes = (
        "Adoption year: the first year ending 31 March after a pilot's implementation start "
        "(that year counts as treated).",
        f"Comparators: {comparators.describe()}. Adopters, exited pilots and contrast sites "
        "are never donors.",
        f"The pooled randomization test re-draws {SYNTH_DRAWS} pseudo-pilot sets from the "
        f"comparators; Callaway-Sant'Anna uses {N_BOOT} multiplier-bootstrap draws (kept small "
        "so the report builds quickly; rerun with more for publication).",
    )
    return ImpactResult(
        indicators=results,
        comparators=comparators,
        adoption=adoption,
        pilot_names=names,
        estimators=estimators,
        calibration=calibration,
        notes=notes,
        design=design,
        plan=outcome_plan(project.settings),
    )
