"""De-identification of transcript turns before anything is stored.

Names of people (from the name lists and the speaker labels; a full name and each of its parts
of three letters or more) become ``[PERSON-n]``, numbered in order of first mention within the
transcript so that "who said what about whom" survives; places become ``[PLACE]``. Pattern
rules (emails, NHS numbers, UK phone numbers, case numbers, street addresses with a house
number, full UK postcodes, dates, dates of birth among them) run first, so that an email that
contains a name is replaced whole. The result records each replacement's kind and tag, never
the original text.

Notes
-----
Name matching is case-insensitive on word boundaries, longest name first, so "Jane Smith" is
one person rather than two. Lists cannot catch a name nobody listed: the uploader must review
the proposals before anything is stored (the web platform's review page, web/interviews), and
:func:`residual_identifiers` and the name lists are run again on every quote before it is
published. The address rule needs a house number and a street word (Road, Street, Lane, ...).
A case number is an id of 4 to 10 digits (up to four letters before it) after a word such as
"case", "child", "ref" or "ID", or any id of one to four letters and five or more digits
(``CH123456``); the words before it are kept, the id replaced.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from csceval.strands.interviews.names import NameLists

MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("email", "[EMAIL]", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("nhs_number", "[NHS-NUMBER]", re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")),
    (
        "phone",
        "[PHONE]",
        re.compile(r"(?:\+44\s?\(?0?\)?\s?|\b0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}\b"),
    ),
    (
        "case_number",
        "[CASE-NUMBER]",
        re.compile(
            r"(?P<keep>\b(?:case|child|client|person|ref(?:erence)?|id|file)\s*(?:no\.?|"
            r"number|num|ref(?:erence)?|id)?\s*[:#]?\s*)[A-Z]{0,4}[-/]?\d{4,10}\b"
            r"|\b[A-Z]{1,4}[-/]?\d{5,10}\b",
            re.IGNORECASE,
        ),
    ),
    (
        "address",
        "[ADDRESS]",
        re.compile(
            r"\b\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][a-z']+\s+){1,3}(?:Road|Rd|Street|St|Lane|Avenue|"
            r"Close|Drive|Way|Crescent|Court|Place|Gardens|Terrace|Grove|Hill|Row|Walk|Square)\b"
        ),
    ),
    ("postcode", "[POSTCODE]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)),
    (
        "date",
        "[DATE]",
        re.compile(
            rf"\b(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}|"
            rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?,?\s+\d{{4}}|"
            rf"{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})\b",
            re.IGNORECASE,
        ),
    ),
)


@dataclass(frozen=True)
class Redaction:
    """One kind of replacement in one turn: the kind, the tag and how many times."""

    turn: int
    kind: str
    tag: str
    count: int


@dataclass
class Redactor:
    """Replaces identifiers turn by turn, numbering people consistently within one transcript."""

    names: NameLists
    people: dict[str, str] = field(default_factory=dict)
    _matchers: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        wanted: dict[str, tuple[str, str]] = {}
        for full in (*self.names.people, *self.names.speakers):
            if self.names.speakers.get(full, "R-").startswith("I-") and full.lower() in {
                "interviewer",
                "facilitator",
                "moderator",
            }:
                continue
            for part in {full, *(p for p in full.split() if len(p) >= 3)}:
                wanted.setdefault(part.lower(), ("person", full.lower()))
        for place in self.names.places:
            wanted.setdefault(place.lower(), ("place", place.lower()))
        for text in sorted(wanted, key=len, reverse=True):
            kind, owner = wanted[text]
            key = f"{kind}:{owner}"
            self._matchers.append((key, re.compile(rf"(?<!\w){re.escape(text)}(?!\w)", re.I)))

    def _tag(self, key: str) -> tuple[str, str]:
        kind, owner = key.split(":", 1)
        if kind == "place":
            return "place", "[PLACE]"
        if owner not in self.people:
            self.people[owner] = f"[PERSON-{len(self.people) + 1}]"
        return "person", self.people[owner]

    def redact(self, turn: int, text: str) -> tuple[str, list[Redaction]]:
        """The turn's text with identifiers replaced, and what was replaced."""
        found: Counter[tuple[str, str]] = Counter()
        for kind, tag, pattern in PATTERNS:

            def replace(match: re.Match[str], tag: str = tag) -> str:
                kept = match.group("keep") if "keep" in match.re.groupindex else None
                return (kept or "") + tag  # the words before a case number stay

            text, n = pattern.subn(replace, text)
            if n:
                found[(kind, tag)] += n
        first_seen = sorted((m.start(), k) for k, r in self._matchers for m in r.finditer(text))
        for _start, key in first_seen:  # number people in order of first mention
            self._tag(key)
        for key, matcher in self._matchers:
            hits = matcher.findall(text)
            if hits:
                kind, tag = self._tag(key)
                text = matcher.sub(tag, text)
                found[(kind, tag)] += len(hits)
        return text, [Redaction(turn, k, t, n) for (k, t), n in sorted(found.items())]


def identifier_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each pattern identifier in ``text``, for a review page; the words
    a rule keeps (``case number`` before the id) are outside the span."""
    spans = []
    for kind, _tag, pattern in PATTERNS:
        for match in pattern.finditer(text):
            keep = match.group("keep") if "keep" in pattern.groupindex else None
            spans.append((match.end("keep") if keep else match.start(), match.end(), kind))
    return sorted(spans)


def residual_identifiers(text: str) -> list[str]:
    """Kinds of pattern identifiers still in ``text`` (empty when none are left)."""
    return [kind for kind, _tag, pattern in PATTERNS if pattern.search(text)]
