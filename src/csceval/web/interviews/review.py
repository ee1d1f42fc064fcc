"""De-identification proposals for the uploader's review, and applying the accepted ones.

The strand's rules (:data:`csceval.strands.interviews.deidentify.PATTERNS` and the project's name
lists) are run span by span rather than as one substitution, so that each proposed redaction can
be shown with its kind and accepted or rejected on its own; the uploader can add one the rules
missed. Pattern rules win over names where spans overlap (an email holding a name is replaced
whole), as in the strand's :class:`~csceval.strands.interviews.deidentify.Redactor`. People get
``[PERSON-n]`` numbered by first mention (the parts of a listed full name count as that person);
places ``[PLACE]``; pattern kinds their own tags. Only the redacted text and a count per turn,
kind and tag survive confirmation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from csceval.strands.interviews.deidentify import PATTERNS
from csceval.strands.interviews.names import PSEUDONYM, NameLists

TAGS = {kind: tag for kind, tag, _ in PATTERNS} | {"person": "[PERSON]", "place": "[PLACE]"}
KINDS = ("person", "place", "email", "phone", "address", "postcode", "date", "nhs_number")
NOT_NAMES = {"interviewer", "facilitator", "moderator"}

Proposal = dict[str, Any]
"""``{"id", "turn", "start", "end", "kind", "owner", "accepted"}`` (the text is the turn's)."""


def name_matchers(
    names: NameLists, labels: Iterable[str]
) -> list[tuple[str, str, re.Pattern[str]]]:
    """(kind, owner, pattern) for every listed person, place and speaker label, longest first."""
    wanted: dict[str, tuple[str, str]] = {}
    people = [*names.people, *(x for x in labels if not PSEUDONYM.match(x))]
    for full in people:
        if full.strip().lower() in NOT_NAMES:
            continue
        for part in {full, *(p for p in full.split() if len(p) >= 3)}:
            wanted.setdefault(part.lower(), ("person", full.lower()))
    for place in names.places:
        wanted.setdefault(place.lower(), ("place", place.lower()))
    return [
        (*wanted[text], re.compile(rf"(?<!\w){re.escape(text)}(?!\w)", re.IGNORECASE))
        for text in sorted(wanted, key=len, reverse=True)
    ]


def _free(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= a or start >= b for a, b in taken)


def propose(texts: Sequence[str], names: NameLists, labels: Iterable[str]) -> list[Proposal]:
    """Every proposed redaction in the turns' ``texts`` (turns numbered from 1)."""
    matchers = name_matchers(names, labels)
    out: list[Proposal] = []
    for number, text in enumerate(texts, start=1):
        taken: list[tuple[int, int]] = []
        found = [
            (m.start(), m.end(), kind, kind) for kind, _t, p in PATTERNS for m in p.finditer(text)
        ]
        found += [
            (m.start(), m.end(), kind, owner)
            for kind, owner, p in matchers
            for m in p.finditer(text)
        ]
        for start, end, kind, owner in found:  # patterns first, then longest names first
            if _free(taken, start, end):
                taken.append((start, end))
                out.append(
                    {
                        "turn": number,
                        "start": start,
                        "end": end,
                        "kind": kind,
                        "owner": owner,
                        "accepted": True,
                    }
                )
    out.sort(key=lambda p: (p["turn"], p["start"]))
    for k, proposal in enumerate(out, start=1):
        proposal["id"] = k
    return out


def add_missed(texts: Sequence[str], proposals: list[Proposal], words: str, kind: str) -> int:
    """Propose (accepted) every occurrence of ``words`` not already covered; how many added."""
    pattern = re.compile(rf"(?<!\w){re.escape(words.strip())}(?!\w)", re.IGNORECASE)
    added = 0
    next_id = max((p["id"] for p in proposals), default=0) + 1
    for number, text in enumerate(texts, start=1):
        taken = [(p["start"], p["end"]) for p in proposals if p["turn"] == number]
        for m in pattern.finditer(text):
            if _free(taken, m.start(), m.end()):
                proposals.append(
                    {
                        "id": next_id,
                        "turn": number,
                        "start": m.start(),
                        "end": m.end(),
                        "kind": kind,
                        "owner": words.strip().lower(),
                        "accepted": True,
                    }
                )
                taken.append((m.start(), m.end()))
                next_id, added = next_id + 1, added + 1
    proposals.sort(key=lambda p: (p["turn"], p["start"]))
    return added


def apply(
    texts: Sequence[str], proposals: Sequence[Proposal]
) -> tuple[list[str], list[tuple[int, str, str, int]]]:
    """The redacted texts and (turn, kind, tag, count) for each accepted replacement."""
    accepted = sorted(
        (p for p in proposals if p["accepted"]), key=lambda p: (p["turn"], p["start"])
    )
    people: dict[str, str] = {}
    tags: list[tuple[Proposal, str]] = []
    for p in accepted:
        if p["kind"] == "person":
            tag = people.setdefault(p["owner"], f"[PERSON-{len(people) + 1}]")
        else:
            tag = TAGS[p["kind"]]
        tags.append((p, tag))
    redacted = list(texts)
    counts: Counter[tuple[int, str, str]] = Counter()
    for p, tag in sorted(tags, key=lambda pt: (pt[0]["turn"], -pt[0]["start"])):
        i = p["turn"] - 1
        redacted[i] = redacted[i][: p["start"]] + tag + redacted[i][p["end"] :]
        counts[(p["turn"], p["kind"], tag)] += 1
    return redacted, [(t, k, tag, n) for (t, k, tag), n in sorted(counts.items())]
