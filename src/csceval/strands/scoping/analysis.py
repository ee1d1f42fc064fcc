"""National scoping: the register as at the evaluation period, counts, contrast sites, survey.

Notes
-----
- The register is read as at the end of the analysis period (31 March of
  ``periods.last_year``): the episodes in use that day (:func:`csceval.project.register.
  register_as_at`). A project without a register uses its older scoping table, converted.
- Each LA that exists in the last year is in one category: the framework it uses, "Several
  frameworks" when it uses more than one, or "None recorded".
- Contrast-site proposals: LAs that use a framework other than the evaluation's, never used one
  of the evaluation's by the period end, and are not pilots. They are ranked by how many pilots
  count them among their statistical neighbours (more first), then by their mean neighbour rank
  (closer first), then by code. Being a frequent neighbour means being similar on the DfE
  statistical-neighbour model to many pilots at once.
- Survey progress counts each LA's responses (any status); its status is that of the response
  received last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from csceval.project.register import (
    framework_users,
    period_end,
    register_as_at,
    register_from_scoping,
)
from csceval.strands.scoping.hexes import alive
from csceval.strands.scoping.survey import progress_by_region, reminders
from csceval.strands.strand import StrandInputs

SEVERAL, NONE = "Several frameworks", "None recorded"
MAX_PROPOSALS = 10


@dataclass(frozen=True)
class ScopingResult:
    """The register as at the period end, by LA, with counts, proposals and survey progress.

    ``las``: one row per LA existing in ``year`` (``la_code, la_name, region_name, frameworks,
    category, extent, started, confidence``). ``proposals``: contrast-site candidates
    (``rank, la_code, la_name, region_name, framework, pilots_neighboured, mean_rank,
    contrast_site``). ``progress`` and ``reminders``: the survey (empty without responses).
    """

    as_at: date
    year: int
    frameworks: tuple[str, ...]
    las: pd.DataFrame
    categories: tuple[str, ...]
    proposals: pd.DataFrame
    hexes: pd.DataFrame
    progress: pd.DataFrame
    reminders: pd.DataFrame
    source: str
    notes: tuple[str, ...] = field(default=())

    def by_region(self) -> pd.DataFrame:
        """LAs by region (rows, then England) and category (columns)."""
        table = pd.crosstab(self.las["region_name"], self.las["category"])
        table = table.reindex(columns=list(self.categories), fill_value=0)
        table.loc["England"] = table.sum()
        table["All LAs"] = table.sum(axis=1)
        return table.rename_axis("region").reset_index()

    def by_framework(self) -> pd.DataFrame:
        """LAs using each framework (alone or with another), most used first."""
        used = [f.split("; ") for f in self.las["frameworks"].astype(str)]
        names = sorted({n for parts in used for n in parts if n})
        rows = [(name, sum(name in parts for parts in used)) for name in names]
        frame = pd.DataFrame(rows, columns=["framework", "las"])
        return frame.sort_values(["las", "framework"], ascending=[False, True]).reset_index(
            drop=True
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per LA existing at the period end (columns as ``las``)."""
        return self.las.copy()

    def summary(self) -> str:
        """The frameworks in use as at the period end, the contrast proposals, the survey."""
        counts = self.by_framework()
        used = ", ".join(
            f"{f} {n}" for f, n in zip(counts["framework"], counts["las"], strict=True)
        )
        lines = [
            f"As at {self.as_at.isoformat()}, {len(self.las)} LAs: "
            f"{used or 'no framework recorded'}"
            f"; {int((self.las['category'] == NONE).sum())} with none recorded.",
            f"{len(self.proposals)} contrast-site proposals"
            + (f", first {self.proposals['la_name'].iat[0]}." if len(self.proposals) else "."),
        ]
        if len(self.progress):
            england = self.progress.iloc[-1]
            lines.append(
                f"Survey: {int(england['responded'])} of {int(england['las'])} LAs responded; "
                f"{len(self.reminders)} to remind."
            )
        return "\n".join(lines)


def scoping_available(inputs: StrandInputs) -> bool:
    """The strand runs when the project has a register or a scoping table."""
    return any(
        name in inputs.tables and not inputs.table(name).empty
        for name in ("framework_register", "framework_scoping")
    )


def project_register(inputs: StrandInputs) -> tuple[pd.DataFrame, str]:
    """The register, or the scoping table converted (and which it was)."""
    register = inputs.tables.get("framework_register")
    if register is not None and not register.empty:
        return register, "data/framework_register.csv"
    return register_from_scoping(inputs.table("framework_scoping")), "data/framework_scoping.csv"


def _category(names: list[str]) -> str:
    return NONE if not names else names[0] if len(names) == 1 else SEVERAL


def las_as_at(register: pd.DataFrame, las: pd.DataFrame, as_at: date, year: int) -> pd.DataFrame:
    """Each LA existing in ``year`` with what the register says of it on ``as_at``."""
    now = register_as_at(register, as_at).sort_values(["la_code", "framework"])
    present = las[las["la_code"].isin(alive(las, year))].sort_values("la_code")
    rows = []
    for code, name, region in zip(
        present["la_code"], present["la_name"], present["region_name"], strict=True
    ):
        mine = now[now["la_code"] == code]
        names = list(dict.fromkeys(mine["framework"].astype(str)))
        first = mine.iloc[0] if len(mine) else None
        rows.append(
            {
                "la_code": code,
                "la_name": name,
                "region_name": region,
                "frameworks": "; ".join(names),
                "category": _category(names),
                "extent": "" if first is None else str(first["extent"]),
                "started": ""
                if first is None or pd.isna(first["started"])
                else str(first["started"]),
                "confidence": "" if first is None else str(first["confidence"]),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "la_code",
            "la_name",
            "region_name",
            "frameworks",
            "category",
            "extent",
            "started",
            "confidence",
        ],
    )


def propose_contrasts(
    inputs: StrandInputs, las: pd.DataFrame, register: pd.DataFrame, by: date
) -> pd.DataFrame:
    """Contrast-site candidates ranked by how often they neighbour the pilots (see Notes)."""
    frameworks = inputs.settings.evaluation.frameworks
    pilots = {s.la_code for s in inputs.pilots}
    excluded = framework_users(register, frameworks, by) | pilots
    candidates = las[(las["category"] != NONE) & ~las["la_code"].isin(excluded)]
    neighbours = inputs.table("statistical_neighbours")
    near = neighbours[neighbours["la_code"].isin(pilots)]
    score = near.groupby("neighbour_code").agg(
        pilots_neighboured=("la_code", "nunique"), mean_rank=("rank", "mean")
    )
    frame = candidates.merge(score, left_on="la_code", right_index=True, how="inner")
    contrasts = {s.la_code for s in inputs.settings.sites_with_role("contrast")}
    frame = frame.assign(
        framework=frame["frameworks"],
        contrast_site=frame["la_code"].isin(contrasts).map({True: "yes", False: "no"}),
        mean_rank=frame["mean_rank"].astype(float),
    ).sort_values(["pilots_neighboured", "mean_rank", "la_code"], ascending=[False, True, True])
    frame = frame.head(MAX_PROPOSALS).reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame[
        [
            "rank",
            "la_code",
            "la_name",
            "region_name",
            "framework",
            "pilots_neighboured",
            "mean_rank",
            "contrast_site",
        ]
    ]


def categories_of(las: pd.DataFrame) -> tuple[str, ...]:
    """The categories present: frameworks by LAs using them, then several, then none."""
    counts = las["category"].value_counts()
    named = sorted(
        (c for c in counts.index if c not in (SEVERAL, NONE)), key=lambda c: (-counts[c], c)
    )
    return (*named, *(c for c in (SEVERAL, NONE) if c in counts.index))


def analyse_scoping(inputs: StrandInputs) -> ScopingResult:
    """The national scoping result for the project (pure)."""
    year = inputs.settings.periods.last_year
    as_at = period_end(year)
    register, source = project_register(inputs)
    all_las = inputs.table("local_authorities")
    las = las_as_at(register, all_las, as_at, year)
    responses = inputs.tables.get("scoping_responses")
    current = las[["la_code", "la_name", "region_name"]]
    survey = responses if responses is not None else pd.DataFrame()
    has_survey = not survey.empty
    notes = ["LA counts describe public bodies, not people: they are shown unsuppressed."]
    if source.endswith("framework_scoping.csv"):
        notes.append("No framework register: the older scoping table is read instead.")
    hexes = inputs.tables.get("la_hexes")
    return ScopingResult(
        as_at=as_at,
        year=year,
        frameworks=tuple(inputs.settings.evaluation.frameworks),
        las=las,
        categories=categories_of(las),
        proposals=propose_contrasts(inputs, las, register, as_at),
        hexes=hexes if hexes is not None else pd.DataFrame(columns=["la_code", "q", "r", "label"]),
        progress=progress_by_region(current, survey) if has_survey else pd.DataFrame(),
        reminders=reminders(current, survey) if has_survey else pd.DataFrame(),
        source=source,
        notes=tuple(notes),
    )
