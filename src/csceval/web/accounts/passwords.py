"""Password rules (security checklist SEC-B2), with error texts written the GOV.UK way.

Methodological choices: at least 15 characters (ASVS 5.0 6.2.1 recommends 15; passphrases are
easy to type and hard to guess) and at most 128 (long enough for any password manager, short
enough to bound Argon2's work); no composition rules and no forced rotation; Django's list of
20,000 common passwords (taken from breach corpora) is refused; so is a password too like the
username, name or email address.

Django's list holds short passwords, so a long password built from a listed one is checked too
(:func:`predictable`): a listed word (or a listed word repeated) padded before or after with
something guessable (at most a run of digits and a run of other characters, each a listed
password, one character repeated, consecutive digits such as 12345678, or up to four characters
such as a year or "!!") is refused, as is a password of padding alone. ``password12345678`` and
``passwordpassword1`` are refused; four random words are not.
"""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

MIN_LENGTH = 15
MAX_LENGTH = 128


class LengthValidator:
    """Between :data:`MIN_LENGTH` and :data:`MAX_LENGTH` characters."""

    def __init__(self, min_length: int = MIN_LENGTH, max_length: int = MAX_LENGTH) -> None:
        self.min_length = min_length
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"Password must be {self.min_length} characters or more",
                code="password_too_short",
            )
        if len(password) > self.max_length:
            raise ValidationError(
                f"Password must be {self.max_length} characters or fewer",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return (
            f"Use {self.min_length} to {self.max_length} characters. A few unrelated words "
            "make a good password. Any characters are allowed."
        )


_SPLIT = re.compile(r"^([\W\d_]*)(.*?)([\W\d_]*)\Z", re.DOTALL)  # padding: not letters
_DIGITS = "0123456789"
SHORT_PADDING = 4


def _guessable_run(text: str, common: Container[str]) -> bool:
    """Listed, one character repeated, consecutive digits, or four characters or fewer."""
    if len(text) <= SHORT_PADDING or text in common or len(set(text)) == 1:
        return True
    ring = _DIGITS * 2 + _DIGITS[::-1] * 2
    return text.isdigit() and text in ring


def _guessable_padding(text: str, common: Container[str]) -> bool:
    """Padding of at most two runs (digits, then other characters, or the reverse), each
    guessable: ``1234567!`` and ``2024!!!!`` are."""
    runs = re.findall(r"\d+|\D+", text)
    return len(runs) <= 2 and all(_guessable_run(run, common) for run in runs)


def _repeats_listed(core: str, common: Container[str]) -> bool:
    """Whether ``core`` is a listed password, or one repeated (passwordpassword)."""
    for size in range(1, len(core) + 1):
        unit = core[:size]
        if len(core) % size == 0 and unit * (len(core) // size) == core and unit in common:
            return True
    return False


def predictable(password: str, common: Container[str]) -> bool:
    """Whether ``password`` is a listed password padded with something guessable (see above)."""
    lowered = password.lower().strip()
    match = _SPLIT.match(lowered)
    if match is None:  # pragma: no cover - the pattern matches any text
        return False
    before, core, after = match.groups()
    if not (_guessable_padding(before, common) and _guessable_padding(after, common)):
        return False
    return core == "" or _repeats_listed(core, common)


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Refuse passwords on Django's list of common (breached) passwords, or built from one."""

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
            if predictable(password, self.passwords):
                raise ValidationError("built from a common password")
        except ValidationError:
            raise ValidationError(
                "Enter a password that is harder to guess: this one is on a list of common "
                "passwords",
                code="password_too_common",
            ) from None

    def get_help_text(self) -> str:
        return "Do not use a common password."


class SimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Refuse passwords too like the username, name or email address."""

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(
                "Enter a password that is not like your username, name or email address",
                code="password_too_similar",
            ) from None

    def get_help_text(self) -> str:
        return "Do not use your username, name or email address."
