"""Child identifiers pseudonymised on read: a keyed HMAC-SHA256 of the LA and the child's id.

Notes
-----
The key comes from the environment variable ``CSCEVAL_PSEUDONYM_KEY`` (at least 32 characters;
an evaluator who needs the same pseudonyms across runs sets it) or is drawn at random for the
run (:func:`secrets.token_bytes`). It is never written anywhere: only the pseudonyms are, so the
stored cohorts cannot be linked back to a case system without the key. The LA code is part of
the message, so the same ``LAchildID`` in two LAs gives two pseudonyms (LA ids are not unique
across LAs). A pseudonym is the first 16 hex digits (64 bits) of the HMAC: collisions among a
few million children are vanishingly unlikely (about 1e-7).
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from csceval.errors import InputError, Problem

KEY_VARIABLE = "CSCEVAL_PSEUDONYM_KEY"
MIN_KEY_CHARS = 32


@dataclass(frozen=True)
class Pseudonymiser:
    """Turns (LA, child id) into a keyed pseudonym; ``repr`` never shows the key."""

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) < MIN_KEY_CHARS // 2:
            raise ValueError("a pseudonymisation key needs at least 16 bytes")

    def pseudonyms(self, la_code: str, ids: Iterable[object]) -> list[str]:
        """One pseudonym per id (the same id always gives the same pseudonym in this LA)."""
        base = hmac.new(self.key, f"{la_code}\x1f".encode(), "sha256")
        cache: dict[str, str] = {}
        out = []
        for raw in ids:
            text = str(raw)
            got = cache.get(text)
            if got is None:
                h = base.copy()
                h.update(text.encode("utf-8"))
                got = cache[text] = h.hexdigest()[:16]
            out.append(got)
        return out


def pseudonymiser_from_environment(environ: dict[str, str] | None = None) -> Pseudonymiser:
    """The run's pseudonymiser: the key in ``CSCEVAL_PSEUDONYM_KEY``, or a random one.

    Raises :class:`InputError` (CSC-E3804) for a key that is too short to be a secret."""
    env = os.environ if environ is None else environ
    text = env.get(KEY_VARIABLE, "")
    if not text:
        return Pseudonymiser(secrets.token_bytes(32))
    if len(text) < MIN_KEY_CHARS:
        raise InputError(
            [
                Problem(
                    "CSC-E3804",
                    f"{KEY_VARIABLE} has {len(text)} characters; a key needs at least "
                    f"{MIN_KEY_CHARS}",
                    column=KEY_VARIABLE,
                    fix="Set a long random key (e.g. python -c 'import secrets; "
                    "print(secrets.token_hex(32))'), or unset it for a random key per run.",
                )
            ]
        )
    return Pseudonymiser(text.encode("utf-8"))
