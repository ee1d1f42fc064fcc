"""TOML and JSON documents from users, parsed without a traceback however deeply they nest.

``tomllib`` and ``json`` recurse once per level of nesting, so a few kilobytes of ``[[[[...``
raise :class:`RecursionError`. These parsers turn that into the parser's own decode error
(``tomllib.TOMLDecodeError``, ``json.JSONDecodeError``), which every caller already reports as
its coded "not valid TOML/JSON" problem. No csceval document nests more than a few levels.
"""

from __future__ import annotations

import json
import tomllib
from typing import Any

TOO_DEEP = "the document is nested too deeply"


def parse_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads``, with excessive nesting a ``TOMLDecodeError``."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError(TOO_DEEP) from None


def parse_json(text: str) -> Any:
    """``json.loads``, with excessive nesting a ``JSONDecodeError``."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError(TOO_DEEP, text[:80], 0) from None
