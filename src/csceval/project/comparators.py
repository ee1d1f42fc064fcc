"""Choosing comparator LAs as the analysis plan says.

Notes
-----
Adopters never serve as controls: every site with role ``pilot`` or ``exited``, any other site
recorded as using one of the evaluation's frameworks, and any LA that the framework register
(``data/framework_register.csv``) records as having begun one of them by the end of the analysis
period (31 March of ``periods.last_year``; ended episodes included, since an LA that stopped is no
clean control) is excluded from every comparator set. A project without a register falls back on
the older scoping table (``data/framework_scoping.csv``: every LA it lists with one of the
frameworks). Framework names are compared case-insensitively.
Contrast sites are kept out too, since they are studied in their own right. LAs that do not exist
for the whole analysis period (reorganised away or created part-way) are kept; estimators that
need a balanced panel drop them themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from csceval.project import ProjectData
from csceval.project.register import framework_users, period_end


@dataclass(frozen=True)
class ComparatorSet:
    """The comparator LAs, how they were chosen and who was kept out."""

    method: str
    la_codes: tuple[str, ...]
    excluded: tuple[str, ...]
    model: str = ""
    """DfE's statistical-neighbour model the neighbours come from ("2021", "2025"; "" unknown)."""

    def describe(self) -> str:
        how = {
            "statistical_neighbours": "the pilots' DfE-style statistical neighbours",
            "all_non_adopters": "every LA that has not adopted the framework",
            "named": "the comparator LAs named in the evaluation plan",
        }[self.method]
        if self.method == "statistical_neighbours" and self.model:
            how += f" (DfE's {self.model} statistical-neighbour model)"
        return f"{len(self.la_codes)} comparator LAs: {how}, excluding adopters"


def adopters(project: ProjectData) -> set[str]:
    """LAs that must never be controls: pilots, exited pilots, framework users, contrast sites."""
    frameworks = {f.casefold() for f in project.settings.evaluation.frameworks}
    sites = {
        s.la_code
        for s in project.settings.sites
        if s.role in ("pilot", "exited", "contrast") or (s.framework or "").casefold() in frameworks
    }
    register = project.tables.get("framework_register")
    if register is not None and not register.empty:
        by = period_end(project.settings.periods.last_year)
        return sites | framework_users(register, frameworks, by)
    scoping = project.table("framework_scoping")
    if scoping.empty:
        return sites
    users = scoping["framework"].astype(str).str.casefold().isin(frameworks)
    return sites | set(scoping.loc[users, "la_code"].astype(str))


def choose_comparators(project: ProjectData) -> ComparatorSet:
    """The comparator set for the project's analysis plan."""
    method = project.settings.analysis.comparators
    excluded = adopters(project)
    model: str = project.settings.comparators.model or ""
    if method == "named":
        chosen = {s.la_code for s in project.settings.sites_with_role("comparator")}
    elif method == "statistical_neighbours":
        neighbours = project.table("statistical_neighbours")
        pilots = {s.la_code for s in project.pilots}
        chosen = set(neighbours.loc[neighbours["la_code"].isin(pilots), "neighbour_code"])
        held = {str(m) for m in neighbours.get("model", []) if isinstance(m, str) and m}
        model = model or (held.pop() if len(held) == 1 else "")
    else:
        chosen = set(project.table("local_authorities")["la_code"])
    return ComparatorSet(
        method=method,
        la_codes=tuple(sorted(chosen - excluded)),
        excluded=tuple(sorted(excluded)),
        model=model,
    )
