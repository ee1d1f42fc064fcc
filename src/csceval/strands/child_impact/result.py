"""The child-level impact result: only aggregates, as ``child_impact.json`` stores them.

Everything here is an aggregate over many children (estimates, counts of children by group and
year, standardised differences): no row describes a child, so the result may leave the strand;
the report still passes every table through disclosure control (small counts suppressed).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pandas as pd

from csceval.strands.child_impact.cohorts import OUTCOME_TITLES
from csceval.strands.child_impact.design_figures import DesignOperating, operating_from_json

FORMAT = "csceval child-level impact 1"
ACTIVITY_OF_OUTCOME = {
    "rereferral_12m": ("referral", "referrals"),
    "cpp_12m": ("child_protection_plan_start", "child protection plans started"),
    "cla_12m": ("care_entry", "entries to care"),
}
"""Outcome -> (activity for the cost-benefit analysis, wording)."""


@dataclass(frozen=True)
class OutcomeEstimate:
    """The matched difference-in-differences estimate of one outcome (percentage points).

    ``low``/``high`` is the 95% interval from the CR2 standard error with Bell-McCaffrey
    degrees of freedom; ``p_wild`` the restricted wild cluster bootstrap p-value (``draws``
    weights, ``reps`` replications; Rademacher fully enumerated when 2^G <= reps)."""

    outcome: str
    method: str
    estimate: float
    se_cr2: float
    low: float
    high: float
    p_cr2: float
    p_wild: float
    draws: str
    reps: int
    n_clusters_treated: int
    n_clusters_control: int
    n_children: int
    treated_post: int
    """Pilot children referred after adoption (the treated the effect is averaged over)."""
    treated_post_per_year: float
    """Those children a year (mean over the post-adoption cohort years)."""
    baseline: float
    """Share with the outcome among pilot children before adoption (percentage)."""
    mde: float = math.nan
    """The minimum detectable effect (percentage points): the smallest true effect the CR2 test
    at 5% would find four times in five, ``(t_0.975 + t_0.80) x se_cr2`` on its
    Bell-McCaffrey degrees of freedom (NaN in results written before it was recorded)."""

    @property
    def title(self) -> str:
        return OUTCOME_TITLES.get(self.outcome, self.outcome)

    @property
    def n_clusters(self) -> int:
        return self.n_clusters_treated + self.n_clusters_control

    @property
    def p_text(self) -> str:
        """The CR2 p-value as text, the wild bootstrap's beside it ("not tested" when there was
        nothing to test)."""
        if not math.isfinite(self.p_cr2):
            return "not tested: no matched child had the outcome"
        wild = f"; wild bootstrap p = {self.p_wild:.3f}" if math.isfinite(self.p_wild) else ""
        return f"p = {self.p_cr2:.3f}{wild}"


@dataclass(frozen=True)
class ActivityChange:
    """A child-level change in activity a year over all pilots, for the cost-benefit analysis.

    ``change = estimate / 100 x treated_post_per_year`` (events a year; negative: fewer), its
    ``se`` and interval scaled the same way from the outcome's estimate."""

    activity: str
    wording: str
    change: float
    se: float
    low: float
    high: float
    outcome: str
    source: str


@dataclass(frozen=True)
class ChildImpactResult:
    """Matched difference-in-differences on child-level CIN census and SSDA903 records.

    Frames: ``event_study`` (outcome, method, event_time, estimate, se_cr2, low, high, p_wild,
    n_children, n_clusters), ``balance`` (method, covariate, smd_before, smd_after),
    ``matching`` (method, step, treated_kept, control_kept, dropped), ``counts`` (group,
    cohort_year, children, and one count column per outcome: children with the event).
    """

    estimates: tuple[OutcomeEstimate, ...]
    event_study: pd.DataFrame
    balance: pd.DataFrame
    matching: pd.DataFrame
    counts: pd.DataFrame
    pilots: tuple[str, ...]
    comparators: tuple[str, ...]
    cohort_years: tuple[int, ...]
    dropped: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    format: str = FORMAT
    inputs: dict[str, str] = field(default_factory=dict)
    """Each return file the estimates were computed from (path under the project) and its
    SHA-256, so the run's provenance, which hashes this result, covers the raw returns too."""
    operating: DesignOperating | None = None
    """The headline verdicts' calibration on the project's own matched sample
    (:mod:`.design_verdicts`); ``None`` when no null worlds were drawn."""

    @property
    def headline(self) -> tuple[OutcomeEstimate, ...]:
        """The estimates of the main method (coarsened exact matching)."""
        return tuple(e for e in self.estimates if e.method == "cem")

    def activity_changes(self) -> tuple[ActivityChange, ...]:
        """Changes in activity a year over all pilots, from the headline estimates."""
        out = []
        for e in self.headline:
            if e.outcome not in ACTIVITY_OF_OUTCOME or not math.isfinite(e.estimate):
                continue
            activity, wording = ACTIVITY_OF_OUTCOME[e.outcome]
            k = e.treated_post_per_year / 100.0
            out.append(
                ActivityChange(
                    activity,
                    wording,
                    e.estimate * k,
                    e.se_cr2 * k,
                    e.low * k,
                    e.high * k,
                    e.outcome,
                    "child-level matched difference-in-differences",
                )
            )
        return tuple(out)

    def activity_frame(self) -> pd.DataFrame:
        """:meth:`activity_changes` as a frame (what the costs strand would read)."""
        cols = [f.name for f in fields(ActivityChange)]
        return pd.DataFrame([asdict(a) for a in self.activity_changes()], columns=cols)

    def to_frame(self) -> pd.DataFrame:
        """One row per outcome and method: the fields of :class:`OutcomeEstimate` and title."""
        cols = [f.name for f in fields(OutcomeEstimate)]
        frame = pd.DataFrame([asdict(e) for e in self.estimates], columns=cols)
        frame["title"] = [e.title for e in self.estimates]
        return frame

    def summary(self) -> str:
        """The design and the first headline outcome's estimate on the first line (the one
        ``Evaluation.summary`` shows), then every headline outcome's estimate in percentage
        points with its 95% interval, p-value (and design p-value) and LA clusters, then how
        often "moderate" occurred in the design's worlds with no effect."""
        op = self.operating
        estimates = []
        for e in self.headline:
            fig = op.get(e.outcome) if op else None
            design_p = f"; design p = {fig.p_design:.3f}" if fig else ""
            estimates.append(
                f"{e.title}: {e.estimate:+.2f} points (95% CI {e.low:.2f} to {e.high:.2f}; "
                f"{e.p_text}{design_p}; {e.n_clusters} LA clusters)"
            )
        design = (
            f"Child-level matched difference-in-differences: {len(self.pilots)} pilot and "
            f"{len(self.comparators)} comparator LAs, cohorts "
            f"{min(self.cohort_years, default=0)}-{max(self.cohort_years, default=0)}"
        )
        lines = [f"{design}; {estimates[0]}." if estimates else f"{design}.", *estimates[1:]]
        if op and op.outcomes:
            worst = max(o.null_moderate for o in op.outcomes)
            lines.append(
                f"Words calibrated on {op.draws:,} worlds of this design with no effect: "
                f'"moderate" in at most {100 * worst:.1f}% per outcome, '
                f"{100 * op.moderate_any:.1f}% for any."
            )
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The whole result as JSON-ready values (what ``child_impact.json`` holds)."""
        return {
            "format": self.format,
            "estimates": [asdict(e) for e in self.estimates],
            "event_study": self.event_study.to_dict(orient="records"),
            "balance": self.balance.to_dict(orient="records"),
            "matching": self.matching.to_dict(orient="records"),
            "counts": self.counts.to_dict(orient="records"),
            "pilots": list(self.pilots),
            "comparators": list(self.comparators),
            "cohort_years": list(self.cohort_years),
            "dropped": dict(self.dropped),
            "notes": list(self.notes),
            "inputs": dict(sorted(self.inputs.items())),
            "operating": self.operating.to_json() if self.operating else None,
        }


def _nan(value: Any) -> Any:
    return math.nan if value is None else value


def _frame(records: Any) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(list(records))
    for col in frame.columns:
        if not frame[col].map(lambda v: isinstance(v, str)).any():
            frame[col] = pd.to_numeric(frame[col].map(_nan))
    return frame


def result_from_json(data: Any) -> ChildImpactResult:
    """The result from :meth:`ChildImpactResult.to_json`'s values; ValueError when the data
    are not such a result (the declared file's parser turns it into CSC-E3805)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f'"format" is not "{FORMAT}"')
    try:
        estimates = tuple(
            OutcomeEstimate(**{k: _nan(v) for k, v in e.items()}) for e in data["estimates"]
        )
        frames = {k: _frame(data[k]) for k in ("event_study", "balance", "matching", "counts")}
        return ChildImpactResult(
            estimates,
            frames["event_study"],
            frames["balance"],
            frames["matching"],
            frames["counts"],
            tuple(str(p) for p in data["pilots"]),
            tuple(str(c) for c in data["comparators"]),
            tuple(int(y) for y in data["cohort_years"]),
            {str(k): int(v) for k, v in data["dropped"].items()},
            tuple(str(n) for n in data["notes"]),
            inputs={str(k): str(v) for k, v in data.get("inputs", {}).items()},
            operating=operating_from_json(data.get("operating")),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"a required field is missing or of the wrong type ({exc})") from None
