"""Error codes of the child-level impact strand (E3800-E3899).

Child-level returns under ``child_level/``, the pseudonymisation key, the cohort store and the
strand's declared results file ``child_impact.json``.
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "CSC-E3801": "Child-level returns: a return file is larger than csceval reads (the limit is "
    "in the message), or cannot be read.",
    "CSC-E3802": "Child-level returns: the folder child_level/ has no LA folder with yearly "
    "returns (child_level/<la_code>/<year>/cin_census.xml), or a folder name is not an LA code "
    "or a collection year.",
    "CSC-E3803": "Child-level returns: no pilot LA and no comparator LA have returns covering a "
    "cohort year with the year before and the year after (needed for the look-back and the "
    "12-month follow-up).",
    "CSC-E3804": "The pseudonymisation key in CSCEVAL_PSEUDONYM_KEY is shorter than 32 characters.",
    "CSC-E3805": "child_impact.json is not a child-level impact result written by csceval "
    "impact child-did (not JSON, or a required field is missing or of the wrong type).",
    "CSC-E3806": "Child-level returns: a CIN census or SSDA903 return in child_level/ is invalid "
    "(the reader's own problems, CSC-E41xx, follow this one).",
    "CSC-E3807": "Child-level impact: the matched sample cannot be estimated (too few children "
    "or clusters after matching, or no pilot child before or after adoption).",
}
