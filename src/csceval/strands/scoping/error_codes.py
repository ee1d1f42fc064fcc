"""Error codes of the national scoping strand (E3500-E3599).

Scoping-survey responses, their import, the review step, the hex layout and hexjson files.
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "CSC-E3501": "Scoping responses import: the file cannot be read (not UTF-8 CSV or an .xlsx "
    "workbook, empty, or larger than csceval reads).",
    "CSC-E3502": "Scoping responses import: a required column is missing, a column is unknown, "
    "or a column's name shows it holds names or other direct identifiers.",
    "CSC-E3503": "Scoping responses: a cell does not hold the declared type or an allowed value "
    "(the message says which).",
    "CSC-E3504": "Scoping responses: 'since' is not a year (2016), a month (2016-04) or a date "
    "(2016-04-01).",
    "CSC-E3505": "Scoping responses: a response names an LA that is not in "
    "data/local_authorities.csv.",
    "CSC-E3506": "Scoping responses: the same response id appears twice (in the file, or "
    "already in the project with different content).",
    "CSC-E3507": "Scoping responses: a response is reviewed before it was received, or an "
    "accepted response names no framework.",
    "CSC-E3510": "Hexjson: the file cannot be read (not JSON, not a hexjson object, or larger "
    "than csceval reads).",
    "CSC-E3511": "Hexjson: a hex lacks integer q and r, or two hexes share a cell.",
    "CSC-E3512": "Hex layout: a project LA has no hex and none could be derived from a "
    "reorganisation (add it to the hexjson or give --la-reference).",
    "CSC-E3513": "Hex layout (data/la_hexes.csv): an LA is not in data/local_authorities.csv, "
    "or two LAs that exist at the same time share a cell.",
    "CSC-E3520": "csceval scoping: the project folder cannot be read or written.",
}
