"""The project's name lists (``interviews/names.toml``): what de-identification looks for.

Shape::

    format_version = 1
    people = ["Jane Smith", "Tom Okafor"]     # names of people who may be mentioned
    places = ["Oakford", "Elm Street"]         # places: towns, estates, streets, schools
    [speakers]                                 # how each speaker label maps to a pseudonym
    "Jane Smith" = "R-0001"
    "Interviewer" = "I-01"

The file holds real names: keep it in the project folder's restricted area, never publish it.
csceval reads it only to redact; no output carries its contents.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from csceval.errors import InputError, Problem
from csceval.project.documents import parse_toml

FILE = "interviews/names.toml"
PSEUDONYM = re.compile(r"^(R|I)-[A-Za-z0-9]{1,16}$")


@dataclass(frozen=True)
class NameLists:
    """Names of people and places to redact, and the speaker-label-to-pseudonym map."""

    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    speakers: dict[str, str] = field(default_factory=dict)


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def parse_names(data: bytes, path: str = FILE) -> NameLists:
    """Parse the name lists (CSC-E3611 on any problem; values are never echoed back)."""

    def bad(message: str, column: str = "") -> InputError:
        return InputError(
            [
                Problem(
                    "CSC-E3611",
                    message,
                    file=path,
                    column=column,
                    fix="see docs/formats.md, interviews/names.toml",
                )
            ]
        )

    try:
        doc = parse_toml(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise bad(f"not a UTF-8 TOML file ({exc.__class__.__name__})") from exc
    unknown = sorted(set(doc) - {"format_version", "people", "places", "speakers"})
    if unknown:
        raise bad(f"unknown field(s) {unknown}")
    for key in ("people", "places"):
        if not _strings(doc.get(key, [])):
            raise bad(f"{key} must be a list of non-empty strings", key)
    speakers = doc.get("speakers", {})
    if not isinstance(speakers, dict) or not all(
        isinstance(v, str) and PSEUDONYM.match(v) for v in speakers.values()
    ):
        raise bad("speakers must map each label to a pseudonym R-... or I-...", "speakers")
    return NameLists(tuple(doc.get("people", [])), tuple(doc.get("places", [])), dict(speakers))
