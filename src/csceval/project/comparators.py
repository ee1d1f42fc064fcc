"""Choosing comparator LAs as the analysis plan says.

Notes
-----
Adopters never serve as controls: every site with role ``pilot`` or ``exited``, any other site
recorded as using one of the evaluation's frameworks, and any LA the scoping table
(``data/framework_scoping.csv``, when present) records as using one of them (names compared
case-insensitively), is excluded from every comparator set.
Contrast sites are kept out too, since they are studied in their own right. LAs that do not exist
for the whole analysis period (reorganised away or created part-way) are kept; estimators that
need a balanced panel drop them themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from csceval.project import ProjectData


@dataclass(frozen=True)
class ComparatorSet:
    """The comparator LAs, how they were chosen and who was kept out."""

    method: str
    la_codes: tuple[str, ...]
    excluded: tuple[str, ...]

    def describe(self) -> str:
        how = {
            "statistical_neighbours": "the pilots' DfE-style statistical neighbours",
            "all_non_adopters": "every LA that has not adopted the framework",
            "named": "the comparator LAs named in the evaluation plan",
        }[self.method]
        return f"{len(self.la_codes)} comparator LAs: {how}, excluding adopters"


def adopters(project: ProjectData) -> set[str]:
    """LAs that must never be controls: pilots, exited pilots, framework users, contrast sites."""
    frameworks = {f.casefold() for f in project.settings.evaluation.frameworks}
    sites = {
        s.la_code
        for s in project.settings.sites
        if s.role in ("pilot", "exited", "contrast") or (s.framework or "").casefold() in frameworks
    }
    scoping = project.table("framework_scoping")
    if scoping.empty:
        return sites
    users = scoping["framework"].astype(str).str.casefold().isin(frameworks)
    return sites | set(scoping.loc[users, "la_code"].astype(str))


def choose_comparators(project: ProjectData) -> ComparatorSet:
    """The comparator set for the project's analysis plan."""
    method = project.settings.analysis.comparators
    excluded = adopters(project)
    if method == "named":
        chosen = {s.la_code for s in project.settings.sites_with_role("comparator")}
    elif method == "statistical_neighbours":
        neighbours = project.table("statistical_neighbours")
        pilots = {s.la_code for s in project.pilots}
        chosen = set(neighbours.loc[neighbours["la_code"].isin(pilots), "neighbour_code"])
    else:
        chosen = set(project.table("local_authorities")["la_code"])
    return ComparatorSet(
        method=method,
        la_codes=tuple(sorted(chosen - excluded)),
        excluded=tuple(sorted(excluded)),
    )
