"""The stable error codes: each user mistake has one, documented in ``docs/errors.md``.

Ranges: E1xxx ``evaluation.toml``; E2xxx ``data/`` tables; E5xxx commands and output folders;
E6xxx the web application.
A test checks that every code used in the source is listed here and in the docs.
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "CSC-E1001": "The project folder does not exist or is not a folder.",
    "CSC-E1002": "The project folder has no evaluation.toml.",
    "CSC-E1003": "evaluation.toml is not valid TOML; the message gives the line and column.",
    "CSC-E1004": "A required setting is missing from evaluation.toml.",
    "CSC-E1005": "evaluation.toml has a setting csceval does not know (often a misspelling).",
    "CSC-E1006": "A setting has a value of the wrong type or form (e.g. a malformed date).",
    "CSC-E1101": "A site's LA code is not a 3-digit DfE LA number.",
    "CSC-E1102": "The same LA is listed as a site more than once.",
    "CSC-E1104": "A pilot site has no implementation start date.",
    "CSC-E1105": "A site's fully-embedded or exit date is before its implementation start.",
    "CSC-E1106": "A site's LA is not in data/local_authorities.csv.",
    "CSC-E1107": "A site uses a framework that is not one of the evaluation's frameworks.",
    "CSC-E1108": "A site has an unknown role (pilot, comparator, contrast or exited).",
    "CSC-E1109": "A site has an exit date but its role is not 'exited'.",
    "CSC-E1201": "Time points are out of order, or one ends before it starts.",
    "CSC-E1202": "A financial year or price year is not written like 2017-18.",
    "CSC-E1203": "The analysis years are out of order or out of range.",
    "CSC-E1204": "Two time points share an id.",
    "CSC-E1301": "The analysis plan names an indicator that is not in the catalogue.",
    "CSC-E1302": "The analysis plan names an unknown estimator.",
    "CSC-E1303": "The analysis plan names an unknown way of choosing comparators.",
    "CSC-E1304": "Comparators are 'named' but no site has the role 'comparator'.",
    "CSC-E1305": "The evaluation has no pilot site.",
    "CSC-E1401": "The disclosure policy has an impossible value.",
    "CSC-E2001": "A required data table is missing.",
    "CSC-E2002": "A data file cannot be read as CSV (encoding, or a row of the wrong length).",
    "CSC-E2003": "A required column is missing from a data table.",
    "CSC-E2004": "A data table has an unexpected or repeated column.",
    "CSC-E2005": "A cell does not hold the declared type (number, date, LA code, ...).",
    "CSC-E2006": "A cell holds a value outside the column's allowed values.",
    "CSC-E2007": "A required cell is empty.",
    "CSC-E2008": "Two rows share the same key (e.g. the same LA, year and indicator).",
    "CSC-E2009": "A cell is below the column's minimum.",
    "CSC-E2010": "A cell refers to an LA that is not in data/local_authorities.csv.",
    "CSC-E2011": "A year lies outside the evaluation's analysis years.",
    "CSC-E2012": "A row names an indicator that is not in the catalogue.",
    "CSC-E2013": "A data file is empty (not even a header row).",
    "CSC-E2014": "A data table has a column of direct identifiers (names, dates of birth, UPN, "
    "NHS number, postcode); csceval refuses it.",
    "CSC-E2015": "A value is out of range for its indicator (a negative count, a percentage "
    "over 100).",
    "CSC-E2016": "An LA's last year is before its first year.",
    "CSC-E2017": "A value is given for a year in which the LA did not exist.",
    "CSC-E2018": "So many problems in one table that reading stopped (probably the wrong file).",
    "CSC-E7101": "csceval impact: the panel file cannot be read as CSV.",
    "CSC-E7102": "csceval impact: a column named by an option is not in the panel file.",
    "CSC-E7103": "csceval impact: the estimator cannot use the input (the message says why: no "
    "pre-period, no donors, an unbalanced panel, ...).",
    "CSC-E7104": "csceval impact: a --predictor is not written as VARIABLE:YEAR or "
    "VARIABLE:FIRST-LAST.",
    "CSC-E7201": "csceval reliability: the ratings file cannot be read as CSV.",
    "CSC-E7202": "csceval reliability: a unit, rater or value column is not in the file.",
    "CSC-E7203": "csceval reliability: the statistic cannot be computed from these ratings or "
    "options (the message says why).",
    "CSC-E5001": "The output folder exists and holds something other than a synthetic project.",
    "CSC-E5002": "The output cannot be written (a file stands where a folder should, or no "
    "permission).",
    "CSC-E6001": "csceval audit verify: an audit event's contents do not match its hash "
    "(the row was edited).",
    "CSC-E6002": "csceval audit verify: an audit event's previous_hash does not match the "
    "event before it (the chain was broken).",
    "CSC-E6003": "csceval audit verify: audit events are missing from the sequence (rows "
    "were deleted).",
    "CSC-E6004": "csceval createadmin: a user with that username already exists.",
    "CSC-E6005": "The web database is not migrated yet: run `csceval migrate`.",
    "CSC-E6006": "The web database cannot be reached (check DATABASE_URL).",
}
