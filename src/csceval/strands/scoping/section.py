"""The report section "National scoping": the map, counts, contrast sites and survey progress.

Every table goes through :func:`csceval.disclosure.protect`. Its counts are of LAs (public
bodies), not people, so they are published as values without small-number suppression; LA names
are public.
"""

from __future__ import annotations

import re

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.report.model import Block, Figure, Finding, Prose, Section, TableBlock
from csceval.strands.scoping.analysis import NONE, ScopingResult
from csceval.strands.scoping.map_svg import legend, render_map

SOURCE = (
    "Project data tables data/framework_register.csv, data/local_authorities.csv{extra}; csceval."
)


def _label(name: str, title: str) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.LABEL)


def _count(name: str, title: str, dp: int = 0) -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.VALUE, dp=dp)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _block(
    block_id: str,
    title: str,
    frame: pd.DataFrame,
    columns: list[PublishedColumn],
    policy: DisclosurePolicy,
    caption: str,
    source: str,
) -> TableBlock:
    table = protect(frame.reset_index(drop=True), TableSpec(columns=tuple(columns)), policy)
    return TableBlock(block_id, title, table, caption, source)


def _map_blocks(result: ScopingResult, policy: DisclosurePolicy, source: str) -> list[Block]:
    keys = legend(result.categories)
    frame = result.las.assign(letters=result.las["category"].map(lambda c: keys[c][1]))
    table = _block(
        "scoping-las",
        f"Framework in use in each LA, as at {result.as_at:%d %B %Y}",
        frame,
        [
            _label("la_name", "LA"),
            _label("la_code", "LA number"),
            _label("region_name", "Region"),
            _label("frameworks", "Framework(s)"),
            _label("letters", "Map letters"),
            _label("extent", "Extent"),
            _label("started", "Since"),
            _label("confidence", "Confidence"),
        ],
        policy,
        "One row per LA; empty where the register records no framework.",
        source,
    )
    blocks: list[Block] = []
    if len(result.hexes):
        title = f"Practice frameworks of England's LAs as at {result.as_at:%d %B %Y}"
        svg = render_map(result.las, result.hexes, result.categories, title, "svg-scoping-map")
        description = (
            "Hex map: one hexagon per LA coloured and lettered by its framework; the table "
            "'Framework in use in each LA' lists the same data."
        )
        blocks.append(Figure("scoping-map", title, svg, description, "scoping-las"))
    return [*blocks, table]


def _count_blocks(result: ScopingResult, policy: DisclosurePolicy, source: str) -> list[Block]:
    by_region = result.by_region()
    renamed = by_region.rename(columns={c: _slug(c) for c in by_region.columns if c != "region"})
    region_columns = [_label("region", "Region")] + [
        _count(_slug(c), c) for c in by_region.columns if c != "region"
    ]
    by_framework = result.by_framework()
    return [
        _block(
            "scoping-by-region",
            "LAs by region and framework",
            renamed,
            region_columns,
            policy,
            "Number of LAs in each category; an LA using several frameworks is "
            "counted once, under 'Several frameworks'.",
            source,
        ),
        _block(
            "scoping-by-framework",
            "LAs using each framework",
            by_framework,
            [_label("framework", "Framework"), _count("las", "LAs")],
            policy,
            "An LA using two frameworks counts under both.",
            source,
        ),
    ]


def _proposal_blocks(result: ScopingResult, policy: DisclosurePolicy, source: str) -> list[Block]:
    if result.proposals.empty:
        return [Prose("No LA using another framework is a statistical neighbour of a pilot.")]
    return [
        _block(
            "scoping-contrasts",
            "Proposed contrast sites",
            result.proposals,
            [
                _count("rank", "Rank"),
                _label("la_name", "LA"),
                _label("la_code", "LA number"),
                _label("region_name", "Region"),
                _label("framework", "Framework(s)"),
                _count("pilots_neighboured", "Pilots it neighbours"),
                _count("mean_rank", "Mean neighbour rank", 1),
                _label("contrast_site", "Already a contrast site"),
            ],
            policy,
            "LAs using another framework, ranked by how many pilots count them "
            "among their ten statistical neighbours, then by closeness.",
            source.format(extra=", data/statistical_neighbours.csv"),
        ),
    ]


def _survey_blocks(result: ScopingResult, policy: DisclosurePolicy) -> list[Block]:
    if result.progress.empty:
        return []
    src = "Project data table data/scoping_responses.csv; csceval."
    blocks: list[Block] = [
        _block(
            "scoping-survey",
            "Scoping survey: responses by region",
            result.progress,
            [
                _label("region", "Region"),
                _count("las", "LAs"),
                _count("responded", "Responded"),
                _count("accepted", "Accepted"),
                _count("awaiting_review", "Awaiting review"),
                _count("response_rate", "Response rate (%)", 1),
            ],
            policy,
            "LAs existing at the period end; an LA's status is its latest response's.",
            src,
        ),
    ]
    if len(result.reminders):
        blocks.append(
            _block(
                "scoping-reminders",
                "LAs to remind (no response yet)",
                result.reminders,
                [
                    _label("la_name", "LA"),
                    _label("la_code", "LA number"),
                    _label("region_name", "Region"),
                ],
                policy,
                "",
                src,
            )
        )
    return blocks


def _findings(result: ScopingResult) -> tuple[Finding, ...]:
    counts = result.by_framework()
    total = len(result.las)
    findings = []
    for framework in result.frameworks:
        hit = counts.loc[counts["framework"].str.casefold() == framework.casefold(), "las"]
        n = int(hit.sum())
        findings.append(Finding(f"{n} of {total} LAs used {framework} on {result.as_at:%d %B %Y}."))
    none = int((result.las["category"] == NONE).sum())
    findings.append(Finding(f"The register records no framework for {none} LAs."))
    if len(result.proposals):
        top = result.proposals.iloc[0]
        findings.append(
            Finding(
                f"The best-placed contrast site is {top['la_name']} ({top['framework']}): a "
                f"statistical neighbour of {int(top['pilots_neighboured'])} pilots."
            )
        )
    if len(result.progress):
        england = result.progress.iloc[-1]
        findings.append(
            Finding(
                f"{int(england['responded'])} of {int(england['las'])} LAs "
                "have answered the scoping survey."
            )
        )
    return tuple(findings)


def render_scoping(result: ScopingResult, policy: DisclosurePolicy) -> Section:
    """The "National scoping" section."""
    source = SOURCE.replace("data/framework_register.csv", result.source)
    intro = Prose(
        "Which practice framework each LA in England uses, from the framework register read "
        f"as at the end of the analysis period ({result.as_at:%d %B %Y}). LAs that had begun "
        "one of the evaluation's frameworks by then never serve as comparators. "
        + " ".join(result.notes)
    )
    blocks: list[Block] = [
        intro,
        *_map_blocks(result, policy, source.format(extra=", data/la_hexes.csv")),
        *_count_blocks(result, policy, source.format(extra="")),
        *_proposal_blocks(result, policy, source),
        *_survey_blocks(result, policy),
    ]
    return Section(
        id="scoping",
        title="National scoping",
        summary=result.summary().splitlines()[0],
        findings=_findings(result),
        blocks=tuple(blocks),
    )
