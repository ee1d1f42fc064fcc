"""Implementation progress: the progress map, slippage against plan and the depth index.

Methods
-------
- **Progress map.** Each pilot's reviewed self-profile ratings (0-10) per element at each time
  point, and the change from the first to the last time point with ratings (T1 -> T2). Only
  rows with status ``reviewed`` (or empty: an evaluator's import) are used.
- **Implementation-depth index.** For a pilot at a time point, the mean of its element ratings
  divided by 10 (0 = nothing in place, 1 = every element fully embedded). Its 95% interval is
  a percentile bootstrap over elements: elements are resampled with replacement (B = 2,000,
  fixed seed), treating the elements as a sample of the ways implementation could show. With
  eight elements the interval is wide and, like any small-sample percentile bootstrap, tends
  to be too narrow rather than too wide; it describes how much the index leans on particular
  elements, not the uncertainty of a self-rating itself. A pilot missing elements has the
  index over the elements it rated (the count is reported).
- **Slippage.** A milestone is *due* when its planned date is on or before the "as at" date:
  the end of the evaluation's last time point (else the latest date in the plans). Days late:
  achieved date minus planned date for an achieved milestone (negative = early); as-at date
  minus planned date for a due milestone not yet achieved (still open). On time: achieved on
  or before its planned date. Share on time = on-time milestones / due milestones; dropped
  milestones are left out. Numbers of milestones are not numbers of people, so they are
  published without small-number suppression.
- **Evidence map.** Every strand's findings (``inputs.evidence``) joined to the boxes of the
  theory of change, with a verdict per box (:mod:`.evidence_map`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from csceval.strands.evidence_finding import EvidenceFinding
from csceval.strands.implementation.elements import ANALYSED_STATUSES, element_ids
from csceval.strands.implementation.evidence_map import evidence_map, implementation_findings
from csceval.strands.implementation.theory_of_change import TheoryOfChange, load_theory_of_change

if TYPE_CHECKING:
    from csceval.strands.strand import StrandInputs

N_BOOT, SEED, LEVEL = 2000, 20180401, 0.95


def reviewed_ratings(profiles: pd.DataFrame) -> pd.DataFrame:
    """The ratings that enter the analysis: la_code, time_point, element, rating (float)."""
    status = profiles["status"].fillna("").astype(str) if "status" in profiles else ""
    kept = profiles[pd.Series(status, index=profiles.index).isin(ANALYSED_STATUSES)]
    out = kept[["la_code", "time_point", "element", "rating"]].copy()
    out["rating"] = out["rating"].astype(float)
    return out.reset_index(drop=True)


def progress_map(ratings: pd.DataFrame, pilots: list[str], time_point: str) -> pd.DataFrame:
    """Pilots (rows, in ``pilots`` order) x elements (columns): ratings at one time point."""
    at = ratings[ratings["time_point"] == time_point]
    wide = at.pivot(index="la_code", columns="element", values="rating")
    return wide.reindex(index=pilots, columns=list(element_ids())).astype(float)


def change_map(ratings: pd.DataFrame, pilots: list[str], first: str, last: str) -> pd.DataFrame:
    """Rating at ``last`` minus rating at ``first``, pilots x elements (NaN if either missing)."""
    return progress_map(ratings, pilots, last) - progress_map(ratings, pilots, first)


def depth_index(
    ratings: pd.DataFrame, n_boot: int = N_BOOT, seed: int = SEED, level: float = LEVEL
) -> pd.DataFrame:
    """Per pilot and time point: the depth index, its bootstrap interval and elements rated."""
    rng = np.random.default_rng(seed)
    rows = []
    for (la, tp), group in ratings.groupby(["la_code", "time_point"], sort=True):
        r = group["rating"].to_numpy(dtype=float) / 10
        draws = rng.choice(r, size=(n_boot, len(r)), replace=True).mean(axis=1)
        tail = (1 - level) / 2
        rows.append(
            {
                "la_code": la,
                "time_point": tp,
                "index": float(r.mean()),
                "low": float(np.quantile(draws, tail)),
                "high": float(np.quantile(draws, 1 - tail)),
                "n_elements": len(r),
            }
        )
    return pd.DataFrame(rows, columns=["la_code", "time_point", "index", "low", "high",
                                       "n_elements"])  # fmt: skip


def as_at_date(milestones: pd.DataFrame, time_point_ends: list[date]) -> date | None:
    """The date slippage is measured at: the last time point's end, else the latest date."""
    if time_point_ends:
        return max(time_point_ends)
    dates = [d for c in ("planned", "achieved") for d in milestones[c] if isinstance(d, date)]
    return max(dates) if dates else None


def milestone_slippage(milestones: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """The milestones with ``due``, ``days_late`` (NaN when not due) and ``on_time``."""
    out = milestones[milestones["status"] != "dropped"].copy().reset_index(drop=True)
    planned = pd.to_datetime(out["planned"])
    achieved = pd.to_datetime(out["achieved"])
    at = pd.Timestamp(as_at)
    out["due"] = planned <= at
    done = achieved.notna() & (achieved <= at)
    late = np.where(done, (achieved - planned).dt.days, (at - planned).dt.days)
    out["days_late"] = np.where(out["due"] | done, late, np.nan).astype(float)
    out["on_time"] = done & (achieved <= planned)
    out["achieved_by_as_at"] = done
    return out


def slippage_summary(slipped: pd.DataFrame, groups: list[str], by: str = "la_code") -> pd.DataFrame:
    """Per group (pilots by default; ``by="element"`` for elements): milestones planned, due,
    achieved, on time, share of due milestones on time (%) and mean days late of due ones."""
    rows = []
    for group in groups:
        m = slipped[slipped[by] == group]
        due = m[m["due"]]
        rows.append(
            {
                by: group,
                "planned": len(m),
                "due": len(due),
                "achieved": int(m["achieved_by_as_at"].sum()),
                "on_time": int(due["on_time"].sum()),
                "share_on_time": 100 * due["on_time"].mean() if len(due) else np.nan,
                "mean_days_late": due["days_late"].mean() if len(due) else np.nan,
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ImplementationResult:
    """What the implementation strand found (pure data; see :mod:`.section` for the report)."""

    theory: TheoryOfChange
    pilots: dict[str, str]
    """LA code -> name (marked when the pilot exited), in evaluation.toml order."""
    time_points: tuple[str, ...]
    """Time points with reviewed ratings, in evaluation.toml order."""
    ratings: pd.DataFrame
    depth: pd.DataFrame
    milestones: pd.DataFrame
    slippage: pd.DataFrame
    """Slippage per pilot (:func:`slippage_summary`)."""
    element_slippage: pd.DataFrame
    """Slippage per implementation element."""
    as_at: date | None
    evidence: pd.DataFrame
    """The evidence map: a row per box, evidence reference and finding (:mod:`.evidence_map`)."""
    n_unreviewed: int
    boxes: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Each box's verdict: strands supporting and contradicting it, its status and verdict."""
    findings: tuple[EvidenceFinding, ...] = ()
    """This strand's own findings (self-profiles, plans), part of the evidence map."""

    def to_frame(self) -> pd.DataFrame:
        """One row per pilot and measure (and time point, for the depth index).

        Columns: ``la_code``, ``site``, ``time_point`` (empty for slippage, which is measured at
        ``as_at``), ``measure``, ``value``, ``low`` and ``high`` (the depth index's bootstrap
        95% interval, else NaN). Measures: ``depth_index`` (0-1), then from the milestone plans
        ``milestones_planned``, ``milestones_due``, ``milestones_achieved``,
        ``milestones_on_time``, ``share_on_time_pct`` and ``mean_days_late`` (of due ones). The
        ratings, milestones and evidence are ``ratings``, ``milestones`` and ``evidence``.
        """
        parts = [self.depth.rename(columns={"index": "value"}).assign(measure="depth_index")]
        if not self.slippage.empty:
            slipped = self.slippage.melt("la_code", list(SLIPPAGE_MEASURES), var_name="measure")
            slipped["measure"] = slipped["measure"].map(SLIPPAGE_MEASURES)
            parts.append(slipped.assign(time_point=""))
        parts = [part for part in parts if not part.empty]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["la_code"])
        frame["site"] = frame["la_code"].map(self.pilots)
        frame = frame.sort_values("la_code", kind="stable", ignore_index=True)
        return frame.reindex(columns=list(IMPLEMENTATION_COLUMNS))

    def summary(self) -> str:
        """The mean depth index at each time point and the share of milestones on time."""
        means = self.depth.groupby("time_point")["index"].mean()
        at = ", ".join(f"{means[tp]:.2f} at {tp}" for tp in self.time_points if tp in means)
        lines = [
            f"Mean implementation-depth index (0 to 1) of {len(self.pilots)} pilots: "
            f"{at or 'no reviewed ratings'}."
        ]
        if len(self.time_points) >= 2:
            first, last = self.time_points[0], self.time_points[-1]
            wide = self.depth.pivot(index="la_code", columns="time_point", values="index")
            both = wide[[first, last]].dropna()
            fell = int((both[last] < both[first]).sum())
            lines.append(
                f"{fell} of the {len(both)} pilots rated at {first} and {last} rated "
                f"themselves lower at {last}."
            )
        if not self.slippage.empty and self.slippage["due"].sum():
            due, on_time = int(self.slippage["due"].sum()), int(self.slippage["on_time"].sum())
            lines.append(
                f"{on_time} of {due} milestones due by {self.as_at} were achieved on time "
                f"({on_time / due:.0%})."
            )
        if self.n_unreviewed:
            lines.append(
                f"{self.n_unreviewed} self-profile ratings not yet reviewed were left out."
            )
        return "\n".join(lines)


IMPLEMENTATION_COLUMNS = ("la_code", "site", "time_point", "measure", "value", "low", "high")
"""The columns of :meth:`ImplementationResult.to_frame`."""
SLIPPAGE_MEASURES = {
    "planned": "milestones_planned",
    "due": "milestones_due",
    "achieved": "milestones_achieved",
    "on_time": "milestones_on_time",
    "share_on_time": "share_on_time_pct",
    "mean_days_late": "mean_days_late",
}
"""Columns of :func:`slippage_summary` -> their measure names in ``to_frame``."""


def analyse_implementation(project: StrandInputs) -> ImplementationResult:
    """The implementation strand's analysis of a loaded project.

    The theory of change is the project's ``theory_of_change.toml`` if present, else the
    default; an invalid file raises :class:`~csceval.errors.InputError` before anything is
    written.
    """
    settings = project.settings
    pilots = {
        s.la_code: s.name + (" (exited)" if s.role == "exited" else "") for s in project.pilots
    }
    profiles = project.table("self_profiles")
    ratings = reviewed_ratings(profiles)
    ratings = ratings[ratings["la_code"].isin(list(pilots))].reset_index(drop=True)
    order = [tp.id for tp in settings.periods.time_points]
    present = set(ratings["time_point"])
    milestones = project.table("implementation_milestones")
    as_at = as_at_date(milestones, [tp.end for tp in settings.periods.time_points])
    slipped = milestone_slippage(milestones, as_at) if as_at else milestones.iloc[0:0]
    indicators = project.table("indicators")
    with_values = set(indicators.loc[indicators["value"].notna(), "indicator"])
    reported = with_values & set(settings.analysis.indicators)
    theory = project.file("theory_of_change") or load_theory_of_change()
    time_points = tuple(tp for tp in order if tp in present)
    depth = depth_index(ratings)
    slippage = slippage_summary(slipped, list(pilots)) if as_at else pd.DataFrame()
    own = implementation_findings(depth, time_points, slippage, as_at)
    links, boxes = evidence_map(theory, dict(project.tables), reported, [*own, *project.evidence])
    return ImplementationResult(
        theory=theory,
        pilots=pilots,
        time_points=time_points,
        ratings=ratings,
        depth=depth,
        milestones=slipped,
        slippage=slippage,
        element_slippage=slippage_summary(slipped, list(element_ids()), by="element")
        if as_at
        else pd.DataFrame(),
        as_at=as_at,
        evidence=links,
        n_unreviewed=len(profiles) - len(reviewed_ratings(profiles)),
        boxes=boxes,
        findings=own,
    )


def implementation_available(project: StrandInputs) -> bool:
    """The strand runs when the project has pilots and plans, self-profiles or its own theory."""
    return bool(project.pilots) and (
        not project.table("self_profiles").empty
        or not project.table("implementation_milestones").empty
        or project.file("theory_of_change") is not None
    )
