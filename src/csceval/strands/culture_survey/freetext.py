"""A screen for names in free-text answers, run before any comment could be published.

By default csceval publishes no free text at all; the report only counts comments. When an
evaluation wants to quote comments, :func:`publishable` keeps those the screen passes. The screen
is deliberately simple and errs towards flagging: a capitalised word that does not start a
sentence (``I``, months, days and words in ``allowed`` excepted), any word of a supplied name
list (case-insensitive), an e-mail address or a phone-like number. A person still reads every
comment before it is quoted: the screen only stops the obvious.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
PHONE = re.compile(r"(?:\+?\d[\s-]?){9,}")
SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")
COMMON = frozenset(
    {
        "i",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "ok",
        "uk",
        "england",
        "la",
        "sw",
        "cp",
        "cin",
        "cla",
        "lac",
    }
)


def screen(text: str, names: Iterable[str] = (), allowed: Iterable[str] = ()) -> list[str]:
    """The tokens that may identify someone (empty when the comment passes)."""
    banned = {n.strip().lower() for n in names if n.strip()}
    ok = COMMON | {a.lower() for a in allowed}
    found = [m.group(0) for m in EMAIL.finditer(text)] + [
        m.group(0).strip() for m in PHONE.finditer(text)
    ]
    for match in WORD.finditer(text):
        word = match.group(0)
        before = text[: match.start()]
        starts_sentence = not before.strip() or bool(SENTENCE_END.search(before))
        capitalised = word[0].isupper() and not starts_sentence and word.lower() not in ok
        if word.lower() in banned or capitalised:
            found.append(word)
    return found


def publishable(
    comments: Iterable[str], names: Iterable[str] = (), allowed: Iterable[str] = ()
) -> list[str]:
    """The comments that pass :func:`screen` (for a person to read before quoting any)."""
    listed = list(names)
    return [c for c in comments if c.strip() and not screen(c, listed, allowed)]
