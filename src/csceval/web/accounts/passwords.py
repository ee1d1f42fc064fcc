"""Password rules (security checklist SEC-B2), with error texts written the GOV.UK way.

Methodological choices: at least 15 characters (ASVS 5.0 6.2.1 recommends 15; passphrases are
easy to type and hard to guess) and at most 128 (long enough for any password manager, short
enough to bound Argon2's work); no composition rules and no forced rotation; Django's list of
20,000 common passwords (taken from breach corpora) is refused; so is a password too like the
username, name or email address.
"""

from __future__ import annotations

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


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    """Refuse passwords on Django's list of common (breached) passwords."""

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
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
