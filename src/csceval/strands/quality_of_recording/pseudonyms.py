"""Keyed pseudonyms for LA case ids (HMAC-SHA256), so that csceval never holds a real case id.

The LA supplies a secret key. ``pseudonym = "P-" + base32(HMAC-SHA256(key, la_code + ":" +
case_id))[:16]``: 16 base32 characters carry 80 bits, so among ``n`` cases of one LA the
chance that any two share a pseudonym is at most ``n**2 / 2**81`` (about 4e-13 for a million
cases; the birthday bound). Without the key a pseudonym cannot be linked to its case id, and
pseudonyms made with different keys cannot be linked to each other (HMAC is a pseudorandom
function). The key is held in memory only: it is never written, logged or shown (``repr``
hides it). The LA keeps the key to look its own cases up again (:func:`reidentify`).

The case id is stripped of surrounding spaces and otherwise taken exactly (case-sensitive):
``"C12"`` and ``"c12"`` are different cases. The LA code enters the message so that the same
case id in two LAs never gives the same pseudonym even under one key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping

from csceval.errors import InputError, Problem

PREFIX = "P-"
LENGTH = 16
"""Base32 characters kept (5 bits each: 80 bits)."""
MIN_KEY_LENGTH = 16
"""Fewest characters a key may have (ICO: a key long enough to resist guessing)."""
MIN_DISTINCT = 6
"""Fewest distinct characters a key may have (refuses ``"aaaaaaaaaaaaaaaa"``)."""


def key_problems(key: str | None, *, where: str = "pseudonym key") -> list[Problem]:
    """Problems with an LA's key (empty list: the key is usable). The key is never echoed."""
    text = key or ""
    if len(text) < MIN_KEY_LENGTH or len(set(text)) < MIN_DISTINCT:
        return [
            Problem(
                "CSC-E3201",
                f"the key must be at least {MIN_KEY_LENGTH} characters with at least "
                f"{MIN_DISTINCT} different characters (it has {len(text)})",
                column=where,
                fix="ask the LA for its pseudonym key: a long random passphrase kept by the LA",
            )
        ]
    return []


class PseudonymKey:
    """An LA's secret key, checked once and kept out of ``repr``, logs and pickles."""

    __slots__ = ("_key",)

    def __init__(self, key: str) -> None:
        problems = key_problems(key)
        if problems:
            raise InputError(problems)
        self._key = key.encode("utf-8")

    def __repr__(self) -> str:
        return "PseudonymKey(<hidden>)"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a PseudonymKey is never serialised")

    def pseudonym(self, la_code: str, case_id: str) -> str:
        """The pseudonym of one case of one LA."""
        message = f"{la_code.strip()}:{case_id.strip()}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return PREFIX + base64.b32encode(digest).decode("ascii")[:LENGTH]


def as_key(key: str | PseudonymKey) -> PseudonymKey:
    """A checked key (raises :class:`InputError` CSC-E3201 for a weak one)."""
    return key if isinstance(key, PseudonymKey) else PseudonymKey(key)


def pseudonym(key: str | PseudonymKey, la_code: str, case_id: str) -> str:
    """The pseudonym of ``case_id`` in LA ``la_code`` under ``key``."""
    return as_key(key).pseudonym(la_code, case_id)


def pseudonymise(key: str | PseudonymKey, la_code: str, case_ids: Iterable[str]) -> list[str]:
    """Pseudonyms of many case ids of one LA, in order."""
    checked = as_key(key)
    return [checked.pseudonym(la_code, c) for c in case_ids]


def reidentify(
    key: str | PseudonymKey, la_code: str, case_ids: Iterable[str], pseudonyms: Iterable[str]
) -> Mapping[str, str]:
    """For the LA only: which of its ``case_ids`` each wanted pseudonym stands for.

    Run by the LA on its own machine (it holds the list and the key) to pull the sampled files.
    Pseudonyms not found among ``case_ids`` are left out.
    """
    wanted = set(pseudonyms)
    checked = as_key(key)
    found = {checked.pseudonym(la_code, c): c.strip() for c in case_ids}
    return {p: found[p] for p in sorted(wanted) if p in found}
