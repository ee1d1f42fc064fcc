"""Error codes of the culture-survey strand (E3400-E3499).

Instruments (XLSForm), norm tables, survey responses and imports from survey tools.
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "CSC-E3401": "Survey instrument: the file cannot be read as an XLSX workbook, or is too large.",
    "CSC-E3402": "Survey instrument: a required sheet (survey, choices) or column (type, name, "
    "list_name) is missing.",
    "CSC-E3403": "Survey instrument: two questions, or two choices of one list, share a name, or "
    "a name is not a valid XLSForm name.",
    "CSC-E3404": "Survey instrument: a select question names a choice list that the choices "
    "sheet does not have, or a scored list's choice names are not whole numbers.",
    "CSC-E3405": "Survey instrument: a question type is not supported, or begin_group/end_group "
    "do not pair up.",
    "CSC-E3406": "Survey instrument: the subscale or reverse column is wrong (reverse not yes/no; "
    "a subscale with fewer than 2 items; a subscale item that is not select_one).",
    "CSC-E3407": "Survey instrument: a relevant (skip logic) expression names an unknown question.",
    "CSC-E3408": "Survey instrument: a relevant (skip logic) expression is outside the supported "
    "subset (comparisons with a literal, selected(), not(), and, or, brackets).",
    "CSC-E3411": "Survey norms: the file cannot be read, a column is missing, a subscale is "
    "repeated, or a mean or SD is not a number (SD must be above 0).",
    "CSC-E3421": "Survey responses: the LA is not a site in evaluation.toml, or the time point is "
    "not one of its time points.",
    "CSC-E3422": "Survey responses: the same response answers the same item twice, or one "
    "response id appears under two sites, teams or time points.",
    "CSC-E3431": "Survey import: the export cannot be read (not UTF-8 CSV or XLSX, empty, or too "
    "large).",
    "CSC-E3432": "Survey import: a column needed for the mapping (site, team, time point) is "
    "missing, or no column matches a question of the instrument.",
    "CSC-E3433": "Survey import: an answer is not one of the question's choices, or a row has no "
    "site, team or time point.",
    "CSC-E3441": "Survey page: an answer is missing or not one of the question's choices.",
    "CSC-E3442": "Survey resume code: the code is not recognised for this link (check it, or "
    "start again).",
    "CSC-E3443": "Survey links: a team needs a code (letters, digits, - or _), a time point of "
    "the evaluation and an invited-staff count of 1 or more; a team cannot be added twice.",
    "CSC-E3434": "Survey import: a column name or value looks like a direct identifier (a name, "
    "an e-mail address, a phone number); the import is refused.",
}
