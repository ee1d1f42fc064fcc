"""What the interviews and focus groups say about each theory-of-change box, for the evidence map.

The codebook links each deductive code to a box (``toc_node``); the section publishes, per
code, the sites where it came up and the participants mentioning it at each time point (a
COUNT, small counts suppressed). One finding per code with a box (reference
``instrument:interviews``, ``node`` = the box): those published figures, a suppressed count
reading "fewer than <threshold + 1>". Codes carry no valence, so a theme that participants
raised counts as qualitative support for its box (the reading of the reference evaluation's
deep dives), with no strength; a theme nobody raised gives no finding.
"""

from __future__ import annotations

from csceval.disclosure import DisclosurePolicy
from csceval.report.model import Section
from csceval.strands.evidence_finding import EvidenceFinding, published_count, section_table
from csceval.strands.interviews.analysis import InterviewsResult

THEMES = "interviews-themes"
PARTICIPANTS = "Participants mentioning it, "


def interviews_evidence(
    result: InterviewsResult, section: Section, policy: DisclosurePolicy
) -> tuple[EvidenceFinding, ...]:
    """A finding per theme linked to a box, quoting the section's published counts."""
    table = section_table(section, THEMES)
    if table is None:
        return ()
    columns = {c.name: c.title.removeprefix(PARTICIPANTS) for c in table.table.spec.columns
               if c.title.startswith(PARTICIPANTS)}  # fmt: skip
    out = []
    for _, row in table.table.cells.iterrows():
        counts = [(str(row[name]), tp) for name, tp in columns.items()]
        if row["box"] == "(inductive)" or all(n in ("0", "x", "") for n, _ in counts):
            continue
        said = "; ".join(f"{published_count(n, policy)} at {tp}" for n, tp in counts)
        out.append(
            EvidenceFinding(
                "instrument:interviews",
                "interviews",
                "supports",
                None,
                f"Interviews: the theme '{row['code']}' came up in {row['sites']} site(s); "
                f"participants mentioning it: {said}.",
                node=str(row["box"]),
            )
        )
    return tuple(out)
