"""The truth check: each impact estimate of a synthetic project beside the truth injected.

Notes
-----
**Which estimates.** Every estimable row of the impact strand's ``to_frame()`` (the only way
this strand reads another's result): pooled rows (synthetic control, Callaway-Sant'Anna,
synthetic DiD, the random-trend model when the plan has it, ITS) and per-pilot
synthetic-control rows. Coverage and the luck of the world
are judged on the pooled rows with a 95% interval; per-pilot rows have no interval and are only
checked for sign.

**Which pilots and years.** The impact frame gives each estimate's span (``first_year``,
``last_year``), its pilot on a per-pilot row (``la_code``) and the *number* of pilots used
(``n_pilots``), but not which. They are rebuilt by the impact strand's documented rule
(docs/methods.md and :mod:`csceval.strands.impact.strand` Notes): pilots with an
implementation start (adoption year = the year ending 31 March containing it), a value in every
year of the span (positive on the log scale), at least two years before adoption in the span,
and adoption no later than its last year. When the rebuilt set's size differs from
``n_pilots`` the row says so in its note.

**Truth, covered, sign.** The truth is :func:`~.estimand.true_effect`. An interval covers when
``low <= truth <= high``. The sign is right when the estimate and a non-zero truth have the same
sign; on a null indicator (truth 0) there is no sign to get right.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from csceval.indicators.panel import wide_panel, year_ending_march
from csceval.strands.strand import StrandInputs
from csceval.strands.truth_check.estimand import true_effect
from csceval.strands.truth_check.luck import (
    UNLUCKY,
    at_most,
    at_most_nominal,
    documented_coverage,
)
from csceval.strands.truth_check.truth_file import InjectedTruth

COLUMNS = (
    "indicator", "title", "method", "label", "la_code", "unit", "estimate", "low", "high",
    "truth", "covered", "sign_right", "note",
)  # fmt: skip
"""The columns of :meth:`TruthCheckResult.to_frame`; ``covered`` and ``sign_right`` are None
where there is no interval or no sign to get right."""


@dataclass(frozen=True)
class Checked:
    """One estimate beside its truth."""

    indicator: str
    title: str
    method: str
    label: str
    la_code: str
    unit: str
    estimate: float
    low: float
    high: float
    truth: float
    covered: bool | None
    sign_right: bool | None
    note: str = ""
    headline: bool = False
    """The indicator's headline estimate (the impact frame's ``headline``)."""


@dataclass(frozen=True)
class Luck:
    """How this world's coverage compares with what to expect (:mod:`.luck`)."""

    intervals: int
    covered: int
    p_nominal: float
    p_documented: float
    signed: int
    sign_right: int

    @property
    def unlucky(self) -> bool:
        """Fewer covered than in 1 world in 20 at the recovery study's coverage."""
        return self.p_documented < UNLUCKY


@dataclass(frozen=True)
class TruthCheckResult:
    """The impact estimates of a synthetic project beside the injected truth."""

    rows: tuple[Checked, ...]
    luck: Luck
    seed: int | None
    notes: tuple[str, ...] = ()

    @property
    def pooled(self) -> tuple[Checked, ...]:
        """The pooled rows (every pilot together), the ones the report's table shows."""
        return tuple(r for r in self.rows if not r.la_code)

    def to_frame(self) -> pd.DataFrame:
        """One row per estimate (columns: :data:`COLUMNS`)."""
        return pd.DataFrame([asdict(r) for r in self.rows], columns=list(COLUMNS))

    def summary(self) -> str:
        """Covered and sign-right counts, and whether the world is an unlucky draw."""
        luck = self.luck
        lines = [
            f"On this synthetic world (seed {self.seed}), {luck.covered} of {luck.intervals} "
            f"95% intervals cover the true effect; {luck.sign_right} of {luck.signed} estimates "
            "of an injected effect have the right sign.",
            f"P(so few covered): {luck.p_nominal:.4f} at the nominal 95%, "
            f"{luck.p_documented:.4f} at the recovery study's coverage"
            + (" (an unlucky world)." if luck.unlucky else "."),
        ]
        return "\n".join(lines)


def _usable(values: pd.DataFrame, scale: str, first: int, last: int) -> set[str]:
    block = values.reindex(columns=list(range(first, last + 1)))
    ok = block.notna() & (block > 0) if scale == "log" else block.notna()
    return {str(la) for la in block.index[ok.all(axis=1).to_numpy()]}


def pilots_used(
    inputs: StrandInputs, indicator: str, scale: str, first: int, last: int
) -> dict[str, int]:
    """Pilot -> adoption year for the pilots the impact strand used (the documented rule)."""
    complete = _usable(wide_panel(inputs, indicator), scale, first, last)
    adoption = {
        s.la_code: year_ending_march(s.implementation_start)
        for s in inputs.pilots
        if s.implementation_start is not None
    }
    return {p: t for p, t in adoption.items() if p in complete and first + 2 <= t <= last}


def _flags(estimate: float, low: float, high: float, truth: float) -> tuple[bool | None, ...]:
    covered = low <= truth <= high if math.isfinite(low) and math.isfinite(high) else None
    if not math.isfinite(truth) or truth == 0 or estimate == 0:
        return covered, None
    return covered, bool(np.sign(estimate) == np.sign(truth))


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _spans(frame: pd.DataFrame) -> dict[str, tuple[str, int, int]]:
    """Indicator -> (scale, first year, last year) of its estimable rows."""
    spans: dict[str, tuple[str, int, int]] = {}
    for r in frame.to_dict("records"):
        first, last = _float(r["first_year"]), _float(r["last_year"])
        if bool(r["estimable"]) and math.isfinite(first) and math.isfinite(last):
            spans.setdefault(str(r["indicator"]), (str(r["scale"]), int(first), int(last)))
    return spans


def check_estimates(
    frame: pd.DataFrame, truth: InjectedTruth, used: Mapping[str, dict[str, int]]
) -> list[Checked]:
    """Every estimable row of the impact frame beside its truth; ``used`` gives each
    indicator's pilots and adoption years (:func:`pilots_used`)."""
    rows: list[Checked] = []
    for r in frame.to_dict("records"):
        estimate, last = _float(r["estimate"]), _float(r["last_year"])
        if not bool(r["estimable"]) or not math.isfinite(estimate) or not math.isfinite(last):
            continue
        indicator, scale, method = str(r["indicator"]), str(r["scale"]), str(r["method"])
        la_code, n_pilots = str(r["la_code"] or ""), int(_float(r["n_pilots"]))
        pilots = dict(used.get(indicator, {}))
        note = "" if len(pilots) == n_pilots else (
            f"{r['title']}: pilots rebuilt by the documented rule: {len(pilots)}, the impact "
            f"strand used {n_pilots}"
        )  # fmt: skip
        if la_code:
            pilots = {la_code: pilots[la_code]} if la_code in pilots else {}
        value = true_effect(truth, indicator, scale, method, pilots, int(last))
        low, high = _float(r["low"]), _float(r["high"])
        covered, sign = _flags(estimate, low, high, value)
        rows.append(
            Checked(indicator, str(r["title"]), method, str(r["label"]), la_code, str(r["unit"]),
                    estimate, low, high, value, covered, sign, note, bool(r.get("headline")))
        )  # fmt: skip
    return rows


def judge(rows: list[Checked]) -> Luck:
    """Covered and sign-right counts of the pooled rows, and the probability of so few."""
    pooled = [r for r in rows if not r.la_code]
    with_interval = [r for r in pooled if r.covered is not None]
    covered = sum(bool(r.covered) for r in with_interval)
    signed = [r for r in pooled if r.sign_right is not None]
    return Luck(
        intervals=len(with_interval),
        covered=covered,
        p_nominal=at_most_nominal(covered, len(with_interval)),
        p_documented=at_most(
            covered, [documented_coverage(r.indicator, r.method) for r in with_interval]
        ),
        signed=len(signed),
        sign_right=sum(bool(r.sign_right) for r in signed),
    )


def truth_check_available(inputs: StrandInputs) -> bool:
    """A synthetic project with a truth.json and an impact result to check."""
    return (
        inputs.settings.evaluation.synthetic
        and inputs.files.get("truth") is not None
        and "impact" in inputs.results
    )


def analyse_truth(inputs: StrandInputs) -> TruthCheckResult:
    """Each impact estimate beside the injected truth, and the luck of this world."""
    truth: InjectedTruth = inputs.file("truth")
    frame = inputs.results["impact"].to_frame()
    used = {
        indicator: pilots_used(inputs, indicator, scale, first, last)
        for indicator, (scale, first, last) in _spans(frame).items()
    }
    rows = check_estimates(frame, truth, used)
    notes = tuple(dict.fromkeys(r.note for r in rows if r.note))
    return TruthCheckResult(tuple(rows), judge(rows), truth.seed, notes)
