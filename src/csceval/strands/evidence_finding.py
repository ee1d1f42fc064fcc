"""What a strand's result says about the theory-of-change boxes it can speak to.

A strand that declares ``Strand.evidence`` turns its result into :class:`EvidenceFinding` values:
one per evidence reference it can speak to (``indicator:<id>``, ``instrument:<id>`` or
``strand:<id>``, written as ``theory_of_change.toml`` writes them), each with a direction, the
strand's own strength of evidence where it states one, one publishable sentence and, for a
finding about one box only (an interview theme coded to it), that box's id. The
pipeline hands every finding to the strands that set ``consumes_evidence`` (the theory-of-change
evidence map), so the map shows what each strand found without recomputing or hand-entry.

Methodological choices
----------------------
- **Direction** is read against the desirable direction the indicator catalogue (or the
  strand) states: a clear change the good way ``supports`` the box, a clear change the bad way
  is ``against`` it; a change that is not clear (an interval or test that does not exclude no
  change) is ``inconclusive``; no change at the published precision is ``no-change``; results
  that point both ways (some measures up, some down) are ``mixed``.
- **Disclosure.** Every count or figure in ``text`` is the strand's published figure under the
  run's policy; a small count reads "fewer than <threshold + 1>", never its value
  (:func:`count_text`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

from csceval.disclosure import SUPPRESSED, DisclosurePolicy
from csceval.disclosure.primary import is_small
from csceval.indicators import Better
from csceval.report.model import Finding, Section, Strength, TableBlock
from csceval.site_comparison import ContrastVerdict

Direction = Literal["supports", "against", "mixed", "no-change", "inconclusive"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
REFERENCE_KINDS = ("indicator", "instrument", "strand")


@dataclass(frozen=True, slots=True)
class EvidenceFinding:
    """One strand's finding on one evidence reference, ready to publish."""

    reference: str
    """``indicator:<id>``, ``instrument:<id>`` or ``strand:<id>``."""
    strand: str
    """The registered id of the strand that found it."""
    direction: Direction
    strength: Strength | None
    """The strand's own strength of evidence, None where it states none (a description)."""
    text: str
    """One plain-English sentence, every number in it already through disclosure control."""
    node: str = ""
    """The id of the one theory-of-change box the finding speaks to (e.g. an interview theme
    coded to that box); empty: every box whose evidence names ``reference``."""

    def __post_init__(self) -> None:
        kind, _, ident = self.reference.partition(":")
        if kind not in REFERENCE_KINDS or not ident:
            raise ValueError(f"{self.strand}: evidence reference {self.reference!r} is not kind:id")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"{self.strand}: direction {self.direction!r} is not one of "
                             f"{', '.join(DIRECTIONS)}")  # fmt: skip
        if not self.text.strip():
            raise ValueError(f"{self.strand}: the finding on {self.reference} has no text")


def direction_of(change: float, better: Better, *, clear: bool = True) -> Direction:
    """The direction of a ``change`` on a measure where ``better`` says which way is good.

    ``clear`` is False when the change's interval or test does not rule out no change.
    """
    if not math.isfinite(change):
        return "inconclusive"
    if change == 0:
        return "no-change"
    if not clear or better is Better.NEITHER:
        return "inconclusive"
    return "supports" if (change < 0) == (better is Better.LOWER) else "against"


def combined_direction(directions: list[Direction]) -> Direction:
    """One direction for several measures of the same thing (``mixed`` when they disagree)."""
    clear = {d for d in directions if d in ("supports", "against")}
    if "mixed" in directions:
        clear |= {"supports", "against"}
    if len(clear) == 2:
        return "mixed"
    if clear:
        return clear.pop()
    if directions and all(d == "no-change" for d in directions):
        return "no-change"
    return "inconclusive"


def count_text(count: int, policy: DisclosurePolicy) -> str:
    """A count of people or cases as a sentence may show it: small counts are not shown."""
    return f"fewer than {policy.min_count + 1}" if is_small(count, policy) else str(count)


def published_count(cell: str, policy: DisclosurePolicy) -> str:
    """A published COUNT cell as a sentence shows it (``c`` reads "fewer than ...")."""
    return f"fewer than {policy.min_count + 1}" if cell == SUPPRESSED else cell


def section_finding(section: Section, prefix: str) -> Finding | None:
    """The section's first finding whose text starts with ``prefix`` (None when it has none):
    an evidence function quotes what the section says rather than wording it again."""
    return next((f for f in section.findings if f.text.startswith(prefix)), None)


def section_table(section: Section, block_id: str) -> TableBlock | None:
    """The section's published table ``block_id`` (None when it has none)."""
    found = [b for b in section.all_blocks if isinstance(b, TableBlock) and b.id == block_id]
    return found[0] if found else None


def contrast_finding(
    section: Section,
    reference: str,
    strand: str,
    text: str,
    difference: float,
    verdict: ContrastVerdict,
) -> EvidenceFinding:
    """A framework-against-contrast comparison of a measure where higher is better, as the
    section words it (``text``, one of its findings) and with the strength the section gives
    it; clear when its verdict is "low" (:mod:`csceval.site_comparison.verdict`)."""
    said = section_finding(section, text)
    return EvidenceFinding(
        reference,
        strand,
        direction_of(difference, Better.HIGHER, clear=verdict.strength != "none"),
        said.strength if said is not None else None,
        text,
    )
