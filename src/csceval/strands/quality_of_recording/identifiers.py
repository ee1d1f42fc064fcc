"""Spotting direct identifiers in an upload: by column name and by value pattern.

Column names are normalised (lower case, runs of other characters to ``_``) and split into
tokens. A column is refused when its name is a known identifier name (``DIRECT_IDENTIFIER_NAMES``
of the project tables), holds an identifier token (``forename``, ``surname``, ``upn``, ``nhs``,
``dob``, ``postcode``, ``address``, ``birth`` ...), or holds the token ``name`` without a token
showing it names a group rather than a person (``team``, ``la``, ``site``, ``service``,
``stratum``, ``locality``). Year or month of birth alone (``birth_year``) is accepted.

Values are refused when they hold:

- an NHS number: 10 digits (spaces or hyphens allowed as 3-3-4) whose modulus-11 check digit is
  right. About 1 in 11 arbitrary 10-digit numbers pass the check, so in the case-id column
  (whose values are the LA's own ids, pseudonymised at once) a column is refused only when more
  than half of its 10-digit values pass; in every other column one passing value is enough;
- a UPN: a letter, 11 digits and a final digit or letter (13 characters; the DfE pattern for
  permanent and temporary UPNs; the check letter is not verified, which errs on refusing);
- a full UK postcode (outward and inward code, e.g. ``SL1 2AB``) anywhere in the text; an
  outward code alone (``SL1``) is not an identifier.

Identifier values are never echoed: :func:`mask` keeps the first and last character.
"""

from __future__ import annotations

import re

from csceval.project.tables import DIRECT_IDENTIFIER_NAMES

IDENTIFIER_TOKENS = frozenset(
    {
        "forename",
        "forenames",
        "firstname",
        "surname",
        "lastname",
        "fullname",
        "givenname",
        "familyname",
        "upn",
        "nhs",
        "dob",
        "birth",
        "postcode",
        "address",
        "uln",
    }
)
GROUP_TOKENS = frozenset(
    {"team", "la", "site", "service", "stratum", "locality", "office", "unit", "instrument"}
)
_NHS = re.compile(r"^\d{3}[ -]?\d{3}[ -]?\d{4}$")
_UPN = re.compile(r"^[A-Za-z]\d{11}[0-9A-Za-z]$")
_POSTCODE = re.compile(
    r"\b(GIR ?0AA|[A-PR-UWYZ](?:\d{1,2}|[A-HK-Y]\d{1,2}|\d[A-HJKPSTUW]|[A-HK-Y]\d[ABEHMNPRVWXY])"
    r" ?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)


def normalise(name: str) -> str:
    """``"Child's Surname"`` -> ``"child_s_surname"``."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def identifier_column(name: str) -> bool:
    """Whether a column's name shows it holds direct identifiers."""
    norm = normalise(name)
    tokens = set(norm.split("_"))
    joined = norm.replace("_", "")
    if norm in DIRECT_IDENTIFIER_NAMES or joined in {"dateofbirth", "nhsnumber", "nhsno"}:
        return True
    if tokens & {"birth", "dob"} and tokens & {"year", "month"} and "date" not in tokens:
        return False
    if tokens & IDENTIFIER_TOKENS or any(t in joined for t in ("postcode", "surname", "forename")):
        return True
    return "name" in tokens and not tokens & GROUP_TOKENS


def nhs_number(value: str) -> bool:
    """Whether ``value`` is a well-formed NHS number with a valid modulus-11 check digit."""
    if not _NHS.match(value.strip()):
        return False
    digits = [int(c) for c in value if c.isdigit()]
    total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


def upn(value: str) -> bool:
    """Whether ``value`` has the shape of a unique pupil number."""
    return bool(_UPN.match(value.strip()))


def postcode(value: str) -> bool:
    """Whether ``value`` contains a full UK postcode."""
    return bool(_POSTCODE.search(value))


def ten_digits(value: str) -> bool:
    return bool(_NHS.match(value.strip()))


def identifier_kind(value: str) -> str | None:
    """``"NHS number"``, ``"UPN"``, ``"postcode"`` or None."""
    if nhs_number(value):
        return "NHS number"
    if upn(value):
        return "UPN"
    if postcode(value):
        return "postcode"
    return None


def mask(value: str) -> str:
    """``"9434765919"`` -> ``"9********9"``: enough to find the cell, not to read it."""
    text = value.strip()
    if len(text) <= 2:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]
