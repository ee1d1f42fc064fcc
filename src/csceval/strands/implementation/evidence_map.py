"""The theory-of-change evidence map: every box, what evidences it, and what that evidence found.

The strands' findings arrive as declared input (``StrandInputs.evidence``, filled by the
pipeline from each strand's ``Strand.evidence``); nothing here recomputes or hand-enters them.

Methods
-------
- **Joining findings to boxes** goes through the box's evidence references: ``strand:<id>``
  matches every finding of that strand; ``indicator:<id>`` the findings on that indicator;
  ``instrument:<id>`` the findings on that instrument and those of the strand that collects it
  (:data:`.evidence.INSTRUMENTS`) that name no other instrument (a strand collecting two
  instruments, such as plans and self-profiles, says which its finding rests on). A finding
  about one box only (``node`` set, e.g. an interview theme coded to the box) goes to that box
  alone. A finding is listed once per box, under the first of the box's references it matches.
- **A box's verdict** counts strands, not findings: each strand's findings on the box are
  combined into one direction (``mixed`` when they point both ways). A box is *supported* when
  at least one strand supports it and none contradicts it, *contradicted* in the reverse case,
  *contested* when strands disagree, *inconclusive* when its findings point nowhere clear, and
  *not yet evidenced* when no strand that ran speaks to it. Counts of strands and boxes are not
  counts of people, so they are published as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from csceval.indicators.catalogue import Better
from csceval.strands.evidence_finding import (
    Direction,
    EvidenceFinding,
    combined_direction,
    direction_of,
)
from csceval.strands.implementation.evidence import INSTRUMENTS, STRANDS, describe
from csceval.strands.implementation.theory_of_change import KIND_LABELS, Node, TheoryOfChange

LINK_COLUMNS = ("theory", "node", "kind", "evidence", "status", "strand", "found", "direction",
                "strength")  # fmt: skip
BOX_COLUMNS = ("theory", "node_id", "node", "kind", "supported", "contradicted", "other",
               "unevidenced", "status", "verdict")  # fmt: skip
STATUSES = ("supported", "contradicted", "contested", "inconclusive", "not yet evidenced")


def matches(reference: str, finding: EvidenceFinding) -> bool:
    """Whether ``finding`` evidences a box through its evidence ``reference``."""
    kind, _, ident = reference.partition(":")
    if kind == "strand":
        return finding.strand == ident
    if finding.reference == reference:
        return True
    collector = INSTRUMENTS[ident].strand if kind == "instrument" else ""
    own_kind = finding.reference.partition(":")[0]
    return bool(collector) and finding.strand == collector and own_kind != "instrument"


def box_findings(
    node: Node, findings: Sequence[EvidenceFinding]
) -> list[tuple[str, EvidenceFinding | None]]:
    """(reference, finding) for each of the box's references, None where nothing was found,
    then the findings about this box alone; each finding once."""
    out: list[tuple[str, EvidenceFinding | None]] = []
    used: set[int] = set()
    for ref in node.evidence:
        mine = [i for i, f in enumerate(findings)
                if i not in used and not f.node and matches(ref, f)]  # fmt: skip
        used.update(mine)
        out += [(ref, findings[i]) for i in mine] or [(ref, None)]
    out += [(f.reference, f) for f in findings if f.node == node.id]
    return out


def in_hand(
    reference: str,
    tables: dict[str, pd.DataFrame],
    indicators_present: set[str],
    ran: set[str],
) -> str:
    """Whether the data behind ``reference`` are in this project, else who collects them."""
    kind, _, ident = reference.partition(":")
    if kind == "indicator":
        return (
            "in this report (key indicators)" if ident in indicators_present
            else "not in this report: add it to analysis.indicators, with data"
        )  # fmt: skip
    if kind == "strand":
        return f"in this report ({STRANDS[ident]})" if ident in ran else "not in this report"
    inst = INSTRUMENTS[ident]
    if not inst.strand:
        return "not collected by any strand of csceval yet"
    frame = tables.get(inst.table)
    if frame is not None and not frame.empty:
        return f"in this project: data/{inst.table}.csv ({STRANDS[inst.strand]})"
    return f"collected by strand {STRANDS[inst.strand]} (no data here yet)"


def evidence_map(
    theory: TheoryOfChange,
    tables: dict[str, pd.DataFrame],
    indicators_present: set[str],
    findings: Sequence[EvidenceFinding],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The evidence table (a row per box, reference and finding) and the boxes' verdicts."""
    ran = {f.strand for f in findings}
    links, boxes = [], []
    for t in theory.theories:
        for node in t.nodes:
            pairs = box_findings(node, findings)
            for ref, found in pairs:
                links.append(
                    {
                        "theory": t.title,
                        "node": node.title,
                        "kind": KIND_LABELS[node.kind],
                        "evidence": describe(ref),
                        "status": in_hand(ref, tables, indicators_present, ran),
                        "strand": "" if found is None else STRANDS.get(found.strand, found.strand),
                        "found": "" if found is None else found.text,
                        "direction": "" if found is None else found.direction,
                        "strength": "" if found is None or found.strength is None
                        else found.strength,
                    }
                )  # fmt: skip
            boxes.append({"theory": t.title, "node_id": node.id, "node": node.title,
                          "kind": KIND_LABELS[node.kind], **box_verdict(pairs)})  # fmt: skip
    return (
        pd.DataFrame(links, columns=list(LINK_COLUMNS)),
        pd.DataFrame(boxes, columns=list(BOX_COLUMNS)),
    )


def box_verdict(pairs: Sequence[tuple[str, EvidenceFinding | None]]) -> dict[str, object]:
    """Strands supporting, contradicting and neither; references with nothing found; the
    box's status and its verdict line (see the module notes)."""
    by_strand: dict[str, list[Direction]] = {}
    for _, found in pairs:
        if found is not None:
            by_strand.setdefault(found.strand, []).append(found.direction)
    net = [combined_direction(d) for d in by_strand.values()]
    supported, contradicted = net.count("supports"), net.count("against")
    other = len(net) - supported - contradicted
    refs = {ref for ref, _ in pairs}
    empty = sum(found is None for _, found in pairs)
    if not net:
        status = "not yet evidenced"
    elif supported and contradicted:
        status = "contested"
    elif supported or contradicted:
        status = "supported" if supported else "contradicted"
    else:
        status = "inconclusive"
    parts = [
        f"{words} by {n} strand{'s' if n != 1 else ''}"
        for words, n in (("supported", supported), ("contradicted", contradicted))
        if n
    ]
    if other:
        parts.append(f"mixed or inconclusive in {other}")
    if not net:
        parts.append("not yet evidenced")
    elif empty:
        parts.append(f"{empty} of its {len(refs)} evidence sources not yet evidenced")
    line = ", ".join(parts)
    return {
        "supported": supported,
        "contradicted": contradicted,
        "other": other,
        "unevidenced": empty,
        "status": status,
        "verdict": line[0].upper() + line[1:],
    }


def map_summary(boxes: pd.DataFrame) -> str:
    """One sentence: how many boxes are supported, contradicted, contested, inconclusive and
    not yet evidenced."""
    counts = boxes["status"].value_counts()
    parts = [f"{int(counts[s])} {s}" for s in STATUSES if s in counts]
    return (
        f"Of the {len(boxes)} boxes of the theory of change, by the findings of the strands that "
        f"ran: {', '.join(parts)}."
    )


def implementation_findings(
    depth: pd.DataFrame,
    time_points: tuple[str, ...],
    slippage: pd.DataFrame,
    as_at: date | None,
) -> tuple[EvidenceFinding, ...]:
    """The implementation strand's own findings: the self-profiles (the depth index from the
    first to the last time point) and the plans (milestones due that were met on time).

    Ratings and milestones describe LAs, not people, so their numbers are published as they
    are. A mean depth index that rose, with more pilots rising than falling, supports the boxes
    the self-profiles evidence (self-rated, so of low strength); one that fell with more pilots
    falling is against them; otherwise mixed. Milestones all on time support the plan, none on
    time is against it, and some on time is mixed.
    """
    out = []
    if len(time_points) >= 2:
        first, last = time_points[0], time_points[-1]
        wide = depth.pivot(index="la_code", columns="time_point", values="index")
        both = wide[[first, last]].dropna()
        if len(both):
            before, after = both[first].mean(), both[last].mean()
            fell = int((both[last] < both[first]).sum())
            rose = int((both[last] > both[first]).sum())
            moved = direction_of(round(after, 2) - round(before, 2), Better.HIGHER)
            agrees = {"supports": rose > fell, "against": fell > rose, "no-change": not rose + fell}
            out.append(
                EvidenceFinding(
                    "instrument:self_profile",
                    "implementation",
                    moved if agrees.get(moved, False) else "mixed",
                    "low",
                    f"Across the {len(both)} pilots rated at both {first} and {last}, the mean "
                    f"implementation-depth index moved from {before:.2f} to {after:.2f}; "
                    f"{fell} pilot(s) rated themselves lower at {last}.",
                )
            )
    if not slippage.empty and slippage["due"].sum():
        due, on_time = int(slippage["due"].sum()), int(slippage["on_time"].sum())
        direction: Direction = (
            "supports" if on_time == due else "against" if on_time == 0 else "mixed"
        )
        out.append(
            EvidenceFinding(
                "instrument:implementation_plan",
                "implementation",
                direction,
                None,
                f"{on_time} of {due} milestones due by {as_at} were achieved on or before "
                f"their planned date ({100 * on_time / due:.0f}%).",
            )
        )
    return tuple(out)
