"""Error codes of the truth-check strand (E3700-E3799): its declared file, ``truth.json``."""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "CSC-E3701": "truth.json is not a JSON object (not UTF-8, not valid JSON, or a list or "
    "value instead of an object).",
    "CSC-E3702": 'truth.json does not say it is synthetic ("synthetic": true): only the '
    "simulator's truth can be checked against.",
    "CSC-E3703": "truth.json: a part the truth check needs (effects, per_pilot, exposure, "
    "null_indicators) is missing or has the wrong shape.",
    "CSC-E3704": "truth.json: an effect size or exposure is not a finite number, or an exposure "
    "is outside 0-1.",
}
