"""Synthetic transcripts with planted identifiers of every kind, for measuring de-identification.

The names are the simulator's invented lists (:data:`~csceval.strands.interviews.simulate.PEOPLE`
and ``PLACES``); every other identifier is drawn in one of the shapes people say or type it:
emails, UK phone numbers in Ofcom's drama ranges (``07700 900xxx``, ``01632 960xxx``,
``020 7946 0xxx``, with or without ``+44``), postcodes in the six UK shapes (``ZZ``-free invented
areas are not needed: the text never leaves the test), dates of birth in numeric and spoken forms,
NHS numbers (spaced, dashed or run together), case numbers (``case number 1234567``,
``CH123456``, ``ref: EH-20931``) and street addresses. Each turn records what was planted, so
recall is the share of planted identifiers that no longer appear in the stored text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from csceval.strands.interviews.simulate import NEUTRAL, PEOPLE, PLACES, TEMPLATES
from csceval.strands.interviews.transcripts import Turn

MONTHS = ("January", "March", "May", "July", "September", "Oct", "Dec")
STREETS = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Crescent", "Gardens")
SURNAMES = ("Hollin", "Quarry", "Mill", "Station", "Church", "Beech Tree")
KINDS = (
    "person",
    "place",
    "email",
    "phone",
    "postcode",
    "date_of_birth",
    "nhs_number",
    "case_number",
    "address",
)


@dataclass(frozen=True)
class Planted:
    """One identifier put into a transcript: its kind, the text as written, and the turn."""

    kind: str
    value: str
    turn: int


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(int(d)) for d in rng.integers(0, 10, n))


def identifier(kind: str, rng: np.random.Generator) -> tuple[str, str]:
    """A sentence planting one identifier of ``kind``, and the identifier as written."""

    def pick(xs: Sequence[str]) -> str:
        return str(xs[int(rng.integers(len(xs)))])

    if kind == "person":
        value = pick(PEOPLE) if rng.random() < 0.6 else pick(PEOPLE).split()[int(rng.integers(2))]
        return f"I spoke to {value} about it.", value
    if kind == "place":
        value = pick(PLACES)
        return f"The family lives near {value} now.", value
    if kind == "email":
        first, last = pick(PEOPLE).lower().split()
        value = f"{first}{pick(['.', '_', ''])}{last}@{pick(['example.org', 'example.gov.uk'])}"
        return f"Email {value} for the notes.", value
    if kind == "phone":
        value = pick([f"07700 900{_digits(rng, 3)}", f"+44 7700 900{_digits(rng, 3)}",
                      f"01632 960{_digits(rng, 3)}", f"020 7946 0{_digits(rng, 3)}",
                      f"07700900{_digits(rng, 3)}"])  # fmt: skip
        return f"Ring {value} if you need to.", value
    if kind == "postcode":
        letters = "ABDEFGHJLNPRSTUWXYZ"
        area = "".join(pick(letters) for _ in range(int(rng.integers(1, 3))))
        value = f"{area}{_digits(rng, 1)}{pick(['', pick(letters)])} {_digits(rng, 1)}"
        value += pick(letters) + pick(letters)
        return f"The office is at {value}.", value
    if kind == "date_of_birth":
        day, month, year = (
            int(rng.integers(1, 29)),
            int(rng.integers(1, 13)),
            2005 + int(rng.integers(0, 15)),
        )
        value = pick([f"{day:02d}/{month:02d}/{year}", f"{day}.{month}.{year % 100:02d}",
                      f"{day} {pick(MONTHS)} {year}", f"{day}th of {pick(MONTHS)} {year}",
                      f"{pick(MONTHS)} {day}, {year}",
                      f"{year}-{month:02d}-{day:02d}"])  # fmt: skip
        return f"The child was born on {value}.", value
    if kind == "nhs_number":
        d = _digits(rng, 10)
        value = pick([f"{d[:3]} {d[3:6]} {d[6:]}", f"{d[:3]}-{d[3:6]}-{d[6:]}", d])
        return f"Her NHS number is {value}.", value
    if kind == "case_number":
        value = pick([_digits(rng, 7), f"CH{_digits(rng, 6)}", f"EH-{_digits(rng, 5)}"])
        lead = "case number " if value[0].isdigit() else pick(["ref: ", "the file ", ""])
        return f"It is under {lead}{value} on the system.", value
    number = int(rng.integers(1, 300))
    value = f"{number} {pick(SURNAMES)} {pick(STREETS)}"
    return f"They moved to {value} in the spring.", value


def planted_transcript(
    rng: np.random.Generator, turns: int = 12, share: float = 0.5
) -> tuple[list[Turn], list[Planted]]:
    """A transcript of interviewer and participant turns; ``share`` of participant turns carry
    one to three planted identifiers (every kind equally likely)."""
    lines = [*(s for v in TEMPLATES.values() for s in v), *NEUTRAL]
    out: list[Turn] = []
    planted: list[Planted] = []
    for number in range(1, turns + 1):
        if number % 2:
            out.append(Turn("Interviewer", "[SYNTHETIC] Can you say more about that?"))
            continue
        text = f"[SYNTHETIC] {lines[int(rng.integers(len(lines)))]}"
        if rng.random() < share:
            for _ in range(int(rng.integers(1, 4))):
                kind = KINDS[int(rng.integers(len(KINDS)))]
                sentence, value = identifier(kind, rng)
                text += f" {sentence}"
                planted.append(Planted(kind, value, number))
        out.append(Turn("R-0001", text))
    return out, planted


def missed(planted: list[Planted], stored: dict[int, str]) -> list[Planted]:
    """The planted identifiers still readable in the stored text of their turn: one counts as
    missed if any of its parts of three characters or more (split at spaces and punctuation)
    is left as a word, in any case, so a half-redacted phone number is a miss too."""
    left = []
    for p in planted:
        parts = [x for x in re.split(r"[\s\-/.,@_+]+", p.value) if len(x) >= 3]
        if any(re.search(rf"(?<!\w){re.escape(x)}(?!\w)", stored[p.turn], re.I) for x in parts):
            left.append(p)
    return left
