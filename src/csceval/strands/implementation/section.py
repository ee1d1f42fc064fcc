"""The report section "Theory of change and implementation".

It reads as a test of the theory of change: the diagrams state the theory, the progress map
and the plans show how far each pilot put the organisational inputs and activities in place,
and the evidence map says, box by box, what each strand's findings say about it (supported,
contradicted or not yet evidenced). Every table goes through
:func:`csceval.disclosure.protect`; ratings, indices and milestone numbers describe LAs, not
people, so they are published as values (no small-number suppression).
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.report.model import Block, Figure, Finding, Heatmap, Prose, Section, Series, TableBlock
from csceval.report.questions import IMPLEMENTATION, Answer
from csceval.strands.implementation.diagram import render_theory_svg, text_equivalent
from csceval.strands.implementation.elements import elements
from csceval.strands.implementation.evidence_map import map_summary
from csceval.strands.implementation.progress import ImplementationResult, change_map, progress_map

SOURCE_PROFILES = "Project data table data/self_profiles.csv (reviewed ratings); csceval."
SOURCE_PLANS = "Project data table data/implementation_milestones.csv; csceval."


def _label(name: str) -> PublishedColumn:
    return PublishedColumn(name, name.replace("_", " ").capitalize(), ColumnRole.LABEL)


def _value(name: str, title: str, dp: int, unit: str = "") -> PublishedColumn:
    return PublishedColumn(name, title, ColumnRole.VALUE, unit=unit, dp=dp)


def _block(
    block_id: str,
    title: str,
    frame: pd.DataFrame,
    columns: list[PublishedColumn],
    policy: DisclosurePolicy,
    *,
    caption: str = "",
    source: str = "",
    notes: tuple[str, ...] = (),
) -> TableBlock:
    table = protect(frame, TableSpec(columns=tuple(columns)), policy)
    return TableBlock(block_id, title, table, caption, source, notes)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def _theory_blocks(result: ImplementationResult, policy: DisclosurePolicy) -> list[Block]:
    blocks: list[Block] = []
    for theory in result.theory.theories:
        table_id = f"toc-{_slug(theory.id)}-nodes"
        mine = result.boxes[result.boxes["theory"] == theory.title]
        statuses = dict(zip(mine["node_id"], mine["status"], strict=True))
        frame = text_equivalent(theory, statuses)
        table = _block(
            table_id,
            f"{theory.title}: every box, what leads to it and its evidence",
            frame,
            [_label(c) for c in frame.columns],
            policy,
            caption=theory.description,
            source="theory_of_change.toml"
            if result.theory.source != "default"
            else "csceval's default theory of change for the reference framework",
        )
        figure_id = f"toc-{_slug(theory.id)}"
        svg = render_theory_svg(theory, f"svg-{figure_id}", statuses)
        description = (
            f"Diagram of the {theory.title.lower()}: boxes for inputs, activities, outputs and "
            "outcomes from left to right, with arrows from each box to the boxes it leads to; "
            "each box says in words what the evidence map found (supported, contradicted, "
            "contested, inconclusive or not yet evidenced)."
        )
        blocks += [Figure(figure_id, theory.title, svg, description, table_id), table]
    return blocks


def _map_blocks(result: ImplementationResult, policy: DisclosurePolicy) -> list[Block]:
    codes = list(result.pilots)
    names = [result.pilots[c] for c in codes]
    els = elements()
    columns = [_label("pilot"), *(_value(e.id, e.title, 0) for e in els)]
    series = tuple(Series(e.id, e.title) for e in els)
    blocks: list[Block] = []
    maps = [(tp, progress_map(result.ratings, codes, tp)) for tp in result.time_points]
    if len(result.time_points) >= 2:
        first, last = result.time_points[0], result.time_points[-1]
        maps.append((f"change {first} to {last}", change_map(result.ratings, codes, first, last)))
    for i, (label, wide) in enumerate(maps):
        is_change = i == len(result.time_points)
        frame = wide.reset_index(drop=True).assign(pilot=names)
        suffix = "change" if is_change else _slug(label)
        table = _block(
            f"progress-{suffix}",
            f"Self-profile ratings, {label}" if not is_change else f"Change in ratings, {label}",
            frame,
            columns,
            policy,
            caption="Rating from 0 (not started) to 10 (fully embedded), by pilot and element"
            if not is_change
            else "Later rating minus earlier rating; positive means further on",
            source=SOURCE_PROFILES,
        )
        values = wide.to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        summary = (
            f" The ratings range from {finite.min():g} to {finite.max():g}." if finite.size else ""
        )
        heatmap = Heatmap(
            f"progress-map-{suffix}",
            table.title.replace("Self-profile ratings", "Progress map"),
            table.id,
            "pilot",
            series,
            description=f"Heatmap of {len(codes)} pilots by {len(els)} implementation elements"
            f" ({'change between time points' if is_change else 'ratings at ' + label}); "
            f"darker cells are {'larger changes' if is_change else 'higher ratings'}.{summary}",
            domain=(-5.0, 5.0) if is_change else (0.0, 10.0),
            diverging=is_change,
            value_label="change" if is_change else "rating",
        )
        blocks += [heatmap, table]
    return blocks


def _depth_block(result: ImplementationResult, policy: DisclosurePolicy) -> TableBlock:
    frame = result.depth.assign(pilot=result.depth["la_code"].map(result.pilots))
    return _block(
        "implementation-depth",
        "Implementation-depth index by pilot and time point",
        frame,
        [
            _label("pilot"),
            _label("time_point"),
            _value("index", "Depth index (0-1)", 2),
            _value("low", "95% interval: low", 2),
            _value("high", "95% interval: high", 2),
            _value("n_elements", "Elements rated", 0),
        ],
        policy,
        caption="Mean element rating / 10, with a bootstrap-over-elements 95% interval",
        source=SOURCE_PROFILES,
        notes=(
            "The interval resamples the pilot's element ratings (2,000 resamples); it shows how "
            "far the index leans on particular elements, not the error of a self-rating.",
        ),
    )


def _slippage_blocks(result: ImplementationResult, policy: DisclosurePolicy) -> list[TableBlock]:
    """Slippage by pilot, by element, and milestone by milestone."""
    titles = {e.id: e.title for e in elements()}
    by_pilot = result.slippage.assign(pilot=result.slippage["la_code"].map(result.pilots))
    by_element = result.element_slippage.assign(
        element=result.element_slippage["element"].map(titles)
    )
    m = result.milestones
    detail = m.assign(
        pilot=m["la_code"].map(result.pilots),
        element_title=m["element"].map(titles),
        planned_date=m["planned"].astype(str),
        achieved_date=[str(d) if isinstance(d, date) else "" for d in m["achieved"]],
    )
    return [
        _summary_block("implementation-slippage", "pilot", by_pilot, result, policy),
        _summary_block("implementation-slippage-elements", "element", by_element, result, policy),
        _block(
            "implementation-milestones",
            f"Each milestone against plan, as at {result.as_at}",
            detail,
            [
                _label("pilot"),
                PublishedColumn("element_title", "Element", ColumnRole.LABEL),
                _label("milestone"),
                PublishedColumn("planned_date", "Planned", ColumnRole.LABEL),
                PublishedColumn("achieved_date", "Achieved", ColumnRole.LABEL),
                _label("status"),
                _value("days_late", "Days late", 0, "days"),
            ],
            policy,
            caption="Days late: achieved minus planned (negative = early); for an open "
            "milestone, the as-at date minus planned; x = not yet due",
            source=SOURCE_PLANS,
        ),
    ]


def _summary_block(
    block_id: str,
    by: str,
    frame: pd.DataFrame,
    result: ImplementationResult,
    policy: DisclosurePolicy,
) -> TableBlock:
    return _block(
        block_id,
        f"Milestones against plan by {by}, as at {result.as_at}",
        frame,
        [
            PublishedColumn(by, by.capitalize(), ColumnRole.LABEL),
            _value("planned", "Milestones in plan", 0),
            _value("due", "Due by the as-at date", 0),
            _value("achieved", "Achieved", 0),
            _value("on_time", "Achieved on time", 0),
            _value("share_on_time", "Share of due milestones on time", 1, "%"),
            _value("mean_days_late", "Mean days late (due milestones)", 0, "days"),
        ],
        policy,
        caption="Dropped milestones are left out; an open milestone counts days late to the "
        "as-at date",
        source=SOURCE_PLANS,
    )


def _findings(result: ImplementationResult) -> list[Finding]:
    """The strand's own findings (self-profiles, plans), as the evidence map states them."""
    return [Finding(f.text, f.strength) for f in result.findings]


def _evidence_blocks(result: ImplementationResult, policy: DisclosurePolicy) -> list[Block]:
    """The evidence map: each box's verdict, then every piece of evidence and what it found."""
    verdicts = _block(
        "toc-verdicts",
        "What the evidence says about each box of the theory of change",
        result.boxes.drop(columns=["node_id"]),
        [
            _label("theory"),
            PublishedColumn("node", "Box", ColumnRole.LABEL),
            _label("kind"),
            _value("supported", "Strands supporting it", 0),
            _value("contradicted", "Strands contradicting it", 0),
            _value("other", "Strands mixed or inconclusive", 0),
            _value("unevidenced", "Evidence sources with no finding yet", 0),
            _label("status"),
            _label("verdict"),
        ],
        policy,
        caption="A strand supports a box when its findings on the box point the way the "
        "theory expects, contradicts it when they point the other way",
        source="The findings of the strands in this report; csceval.",
    )
    evidence = _block(
        "toc-evidence",
        "The evidence for each box of the theory of change, and what it found",
        result.evidence,
        [
            _label("theory"),
            PublishedColumn("node", "Box", ColumnRole.LABEL),
            _label("kind"),
            _label("evidence"),
            PublishedColumn("status", "In hand", ColumnRole.LABEL),
            _label("strand"),
            PublishedColumn("found", "What it found", ColumnRole.LABEL),
            _label("direction"),
            _label("strength"),
        ],
        policy,
        caption="Where the evidence testing each box comes from, whether it is in hand, and "
        "what each strand found (direction: supports, against, mixed, no-change or "
        "inconclusive)",
        notes=(
            "Each finding is the strand's own published sentence; its strength is the strand's "
            "own strength of evidence (empty where the strand describes rather than estimates).",
        ),
    )
    return [Prose(map_summary(result.boxes)), verdicts, evidence]


def render_implementation(result: ImplementationResult, policy: DisclosurePolicy) -> Section:
    """The theory-of-change and implementation section of the report."""
    source = (
        "the project's own theory_of_change.toml"
        if result.theory.source != "default"
        else "csceval's default theory of change for the reference framework"
    )
    blocks: list[Block] = [
        Prose(
            f"The theory of change ({source}) sets out how the framework is expected to work. "
            "The evaluation tests it box by box: the organisational inputs and activities "
            "through each pilot's plan and self-profiles, the outputs and outcomes through the "
            "evidence the other strands collect: the evidence map at the end says what each "
            "strand found for each box."
            + (
                f"\n\n{result.n_unreviewed} self-profile rating(s) not yet reviewed by the "
                "evaluator are left out."
                if result.n_unreviewed
                else ""
            )
        ),
        *_theory_blocks(result, policy),
    ]
    if result.time_points:
        blocks += [*_map_blocks(result, policy), _depth_block(result, policy)]
    else:
        blocks.append(Prose("No reviewed self-profiles are in the project yet."))
    if not result.slippage.empty:
        blocks += _slippage_blocks(result, policy)
    blocks += _evidence_blocks(result, policy)
    own = _findings(result)
    summary = map_summary(result.boxes)
    findings = [*own, Finding(summary)]
    return Section(
        id="implementation",
        title="Theory of change and implementation",
        summary="How far each pilot put the framework in place against its plan and its own "
        "self-profiles, read against the theory of change that links that work to outcomes.",
        findings=tuple(findings),
        blocks=tuple(blocks),
        # The map's counts stay a finding of this page, not a summary answer: they tally the
        # other strands' verdicts, so a strength of their own would grade those twice.
        answers=tuple(Answer(IMPLEMENTATION, f.text, f.strength) for f in own[:1]),
    )
