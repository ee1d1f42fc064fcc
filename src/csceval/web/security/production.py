"""Production settings that refuse to start when they are unsafe (docs/deployment.md).

Methodological choices: the secret key must be at least 50 characters with at least 5 distinct
ones and must not be one of the placeholder values documentation tends to show (Django's own
deploy check uses the same length and variety thresholds, but only warns); an allowed host may
not contain ``*`` (a wildcard lets any Host header through, so links in e-mails and password
resets could point anywhere). A leading-dot entry (``.example.org``, every subdomain of one
domain the service owns) is allowed, as Django documents it.
"""

from __future__ import annotations

MIN_KEY_LENGTH = 50
MIN_KEY_CHARACTERS = 5
PLACEHOLDERS = frozenset({"changeme", "change-me", "secret", "insecure", "django-insecure"})


def secret_key_problem(key: str) -> str:
    """Why ``key`` is too weak for production ("" when it is fine)."""
    lowered = key.lower()
    if lowered in PLACEHOLDERS or lowered.startswith("django-insecure"):
        return "it is a placeholder value"
    if len(key) < MIN_KEY_LENGTH:
        return f"it has {len(key)} characters (at least {MIN_KEY_LENGTH} are needed)"
    if len(set(key)) < MIN_KEY_CHARACTERS:
        return f"it uses fewer than {MIN_KEY_CHARACTERS} different characters"
    return ""


def wildcard_hosts(hosts: list[str]) -> list[str]:
    """The entries of ``hosts`` that are wildcards (contain ``*``)."""
    return [h for h in hosts if "*" in h]
