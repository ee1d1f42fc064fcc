"""The stable error codes: each user mistake has one, documented in ``docs/errors.md``.

These are the core's codes. Ranges: E1xxx ``evaluation.toml``; E2xxx ``data/`` tables;
E40xx DfE open data and LA files (csceval.data); E41xx child-level returns (SSDA903, CIN census)
and child-level indicators; E5xxx commands and output folders; E6xxx the web application;
E72xx ``csceval reliability``. Each strand declares its own block (``Strand.error_codes`` within
``Strand.error_range``: E30xx costs, E31xx implementation, E32xx quality of recording, E71xx
impact); :func:`csceval.registry.all_error_codes` merges them and checks that no two overlap.
A test checks that every code used in the source is listed there and in the docs.
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
    "CSC-E1306": "A primary or secondary outcome is not among the plan's indicators, or is "
    "named twice.",
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
    "CSC-E2019": "evaluation.toml's [comparators] model is not the statistical-neighbour model "
    "data/statistical_neighbours.csv holds (rebuild with build-panel --neighbours).",
    "CSC-E2020": "A project file a strand declares is larger than csceval reads (probably the "
    "wrong file).",
    "CSC-E2030": "An Excel workbook is refused before it is read: too large, too many parts, or "
    "compressed beyond a plausible ratio (a zip bomb).",
    "CSC-E2031": "A worksheet declares more rows or columns than csceval reads (often a stray "
    "value far below or to the right of the data).",
    "CSC-E2021": "Framework register: an episode ends before it starts.",
    "CSC-E2022": "Framework register: two episodes of the same framework in the same LA overlap.",
    "CSC-E7201": "csceval reliability: the ratings file cannot be read as CSV.",
    "CSC-E7202": "csceval reliability: a unit, rater or value column is not in the file.",
    "CSC-E7203": "csceval reliability: the statistic cannot be computed from these ratings or "
    "options (the message says why).",
    # E4001-E4099: DfE open data and LA files (csceval.data readers, build-panel, fetch).
    "CSC-E4001": "DfE/EES CSV: the file cannot be read (missing, not UTF-8, empty, or a row with "
    "the wrong number of cells).",
    "CSC-E4002": "DfE/EES CSV: a required column is missing (the standard EES columns, or one a "
    "reader needs).",
    "CSC-E4003": "DfE/EES CSV: a column name appears twice.",
    "CSC-E4004": "DfE/EES CSV: time_period is not a 4-digit year (2019) or a 6-digit pair of "
    "years (201819).",
    "CSC-E4005": "DfE/EES CSV: geographic_level is not an EES level (National, Regional, Local "
    "authority, ...).",
    "CSC-E4006": "DfE/EES CSV: an LA code is malformed (old: 3 digits; new: E + 8 digits).",
    "CSC-E4007": "DfE/EES CSV: a geography cell that the row's level needs is empty.",
    "CSC-E4008": "DfE/EES CSV: an indicator cell is neither a number nor an EES symbol "
    "(c x z u low k : ~ -).",
    "CSC-E4009": "DfE/EES CSV: so many problems that reading stopped (probably the wrong file).",
    "CSC-E4010": "LA reference file: cannot be read, or a required column is missing.",
    "CSC-E4011": "LA reference file: an LA code is not a 3-digit DfE LA number.",
    "CSC-E4012": "Statistical neighbours: not a DfE 2021 or 2025 model file, or not 10 neighbours.",
    "CSC-E4013": "Statistical neighbours: a closeness band is not Extremely close, Very Close, "
    "Close, Somewhat "
    "close or Not Close.",
    "CSC-E4014": "Statistical neighbours: an LA is listed twice.",
    "CSC-E4015": "ONS population file: no rows for children aged 0 to 17.",
    "CSC-E4016": "LAIT file: cannot be read, or a required column is missing.",
    "CSC-E4020": "Annex A: the workbook cannot be opened as XLSX.",
    "CSC-E4021": "Annex A: no sheet is recognisably one of Lists 1-11.",
    "CSC-E4022": "Annex A: a list's header row lacks a required column (Child Unique ID, ...).",
    "CSC-E4023": "Annex A: a date cell is not a date (or a dd/mm/yyyy text date).",
    "CSC-E4024": "Annex A: the pseudonymisation key is missing or shorter than 16 bytes.",
    "CSC-E4030": "CSWW census XML: the file is not well-formed XML.",
    "CSC-E4031": "CSWW census XML: the root is not Message, or the collection is not CSWW.",
    "CSC-E4032": "CSWW census XML: a number or date field holds something else.",
    "CSC-E4033": "CSWW census XML: a required element is missing (Header, CSWWWorker's FTE, ...).",
    "CSC-E4040": "csceval data fetch: a download failed after every retry.",
    "CSC-E4041": "csceval data fetch: a downloaded file is not a CSV, or is empty.",
    "CSC-E4050": "csceval data build-panel: the source folder lacks a required DfE file.",
    "CSC-E4052": "csceval data build-panel: a CLA SFR underlying, S251 outturn or csc_la_panel "
    "file cannot be read, or lacks a column it needs.",
    "CSC-E4051": "csceval data build-panel: --out is an existing folder that is not an earlier "
    "build-panel output.",
    # E4101-E4199: child-level returns (SSDA903, CIN census) and child-level indicators.
    "CSC-E4101": "SSDA903: a file cannot be read (missing, not UTF-8, empty, or a CSV row with "
    "the wrong number of cells).",
    "CSC-E4102": "SSDA903 CSV: the header row matches no 903 table.",
    "CSC-E4103": "SSDA903 CSV: a 903 column is missing from the table, or repeated.",
    "CSC-E4104": "SSDA903: a date cell is not a date (dd/mm/YYYY).",
    "CSC-E4105": "SSDA903: a coded cell (RNE, LS, CIN, PLACE for the year, SEX, ...) is not a "
    "valid code.",
    "CSC-E4106": "SSDA903: a required cell (CHILD; DECOM, RNE, LS or PLACE of an episode) is "
    "blank.",
    "CSC-E4107": "SSDA903 XML: the file is not well-formed XML.",
    "CSC-E4108": "SSDA903 XML: the root element is not EXPSSDA903.",
    "CSC-E4109": "SSDA903: an episode ends (DEC) before it starts (DECOM).",
    "CSC-E4110": "SSDA903 CSV (warning): a column that is not part of the 903 table is ignored.",
    "CSC-E4111": "SSDA903 (warning): SEX is coded as in another collection year (1/2 vs M/F/U).",
    "CSC-E4121": "CIN census: the file cannot be read as XML.",
    "CSC-E4122": "CIN census: the root element is not Message, or there are no Child records.",
    "CSC-E4123": "CIN census: a Child has no LAchildID.",
    "CSC-E4124": "CIN census: a date element is not a date (YYYY-MM-DD).",
    "CSC-E4125": "CIN census: a CINdetails block has no CINreferralDate.",
    "CSC-E4126": (
        "CIN census (warning): an element not in the 2017-2026 schemas, or not where they put "
        "it, is ignored."
    ),
    "CSC-E4127": "CIN census (warning): a value outside its code list or range (e.g. "
    "ReferralNFA 'true', a year-1066 date) is read leniently.",
    "CSC-E4141": "Child-level indicators: the collection year is outside 2011-2027 (the "
    "bank-holiday table's range).",
    "CSC-E4151": "csceval simulate-child-level: an LA code or year is not in the simulated panel.",
    "CSC-E4152": "csceval simulate-child-level: the panel's values cannot be realised as "
    "child-level records (the message names the LA, year and constraint).",
    "CSC-E5001": "The output folder exists and holds something other than a synthetic project.",
    "CSC-E5002": "The output cannot be written (a file stands where a folder should, or no "
    "permission).",
    "CSC-E5003": "A web platform command (serve, migrate, createadmin, audit, backup, restore, "
    "import-project, export-project) was run without the web platform installed: "
    'pip install "csceval[web]".',
    "CSC-E5004": "The output folder exists and is not an earlier csceval output (no "
    "manifest.json): csceval replaces an output folder whole, so it refuses to touch a folder of "
    "other things.",
    "CSC-E5005": "The output folder is the project folder or inside it.",
    "CSC-E5006": "csceval run --pdf: WeasyPrint (the pdf extra) is not installed.",
    "CSC-E5007": "--scheduler: Dask distributed (the cluster extra) is not installed.",
    "CSC-E5008": "--scheduler: the Dask scheduler cannot be reached, or no worker joined it.",
    "CSC-E5009": "--scheduler: a Dask worker runs another csceval version than the command.",
    "CSC-E6001": "csceval audit verify: an audit event's contents do not match its hash "
    "(the row was edited).",
    "CSC-E6002": "csceval audit verify: an audit event's previous_hash does not match the "
    "event before it (the chain was broken).",
    "CSC-E6003": "csceval audit verify: audit events are missing from the sequence (rows "
    "were deleted).",
    "CSC-E6004": "csceval createadmin / createuser: a user with that username already exists.",
    "CSC-E6005": "The web database is not migrated yet: run `csceval migrate`.",
    "CSC-E6006": "The web database cannot be reached (check DATABASE_URL).",
    "CSC-E6007": "CSCEVAL_ENV=production without CSCEVAL_SECRET_KEY (the secret key must come "
    "from the environment), or with a weak one (under 50 characters, few distinct characters, "
    "or a placeholder such as 'changeme').",
    "CSC-E6008": "CSCEVAL_ENV=production without CSCEVAL_ALLOWED_HOSTS, or with a wildcard host.",
    "CSC-E6009": "csceval serve: local mode (SQLite) listens only on a loopback address; use "
    "PostgreSQL for a shared server.",
    "CSC-E6010": "A request body is larger than CSCEVAL_MAX_REQUEST_BYTES (default 6 MiB; "
    "refused with 413 before it is read, and audited), or that setting is not a number of at "
    "least 1 MiB.",
    "CSC-E6011": "csceval createuser: a value is not valid (the message names the option).",
    "CSC-E6050": "csceval audit verify --anchor: the chain no longer holds the anchored head "
    "(the newest events were deleted or the chain rewritten).",
    "CSC-E6051": "csceval export-project: the output folder exists and is neither empty nor an "
    "earlier export (no manifest.json), or cannot be written.",
    "CSC-E6052": "csceval export-project: the web platform's evaluation has not been set up yet.",
    "CSC-E6053": "csceval import-project: a project file is a symbolic link or larger than 50 MB "
    "(import reads only regular files inside the project folder).",
    "CSC-E6054": "csceval import-project: the project no longer lists a site that holds returns, "
    "self-profiles or case samples in the platform.",
    "CSC-E6060": "csceval restore: the folder is not a csceval backup (no readable manifest.json "
    "and backup.json).",
    "CSC-E6061": "csceval restore: a backup file is missing, changed or not in the manifest.",
    "CSC-E6062": "csceval restore: backup.json's keyed signature does not match the files (they "
    "were changed, or the backup was made with another audit key).",
    "CSC-E6063": "csceval restore: the backup holds a database of another engine than "
    "DATABASE_URL's (SQLite or PostgreSQL).",
    "CSC-E6064": "csceval restore: the audit chain inside the backup does not verify with this "
    "platform's key, or does not end at the head the backup recorded; nothing is replaced.",
    "CSC-E6065": "csceval backup / restore: the backup cannot be written or restored (the folder, "
    "pg_dump/pg_restore missing or failing, no right to create the scratch database).",
    "CSC-E6066": "csceval audit anchor / verify / backup / restore: the audit anchors file "
    "(CSCEVAL_AUDIT_ANCHORS) cannot be read or written.",
    # E6101-E6199: pilot data returns and exports (csceval.web.returns, csceval.web.exports).
    "CSC-E6101": "Return upload: the file is not an Excel workbook (.xlsx), or cannot be opened.",
    "CSC-E6102": "Return upload: the file is too large, or too large when unpacked (zip bomb).",
    "CSC-E6103": "Return upload: a sheet of the template is missing (renamed or deleted).",
    "CSC-E6104": "Return upload: a column heading differs from the template's.",
    "CSC-E6105": "Return upload: the template is for another LA or another period.",
    "CSC-E6106": "Return upload: an indicator id is not one of the template's.",
    "CSC-E6107": "Return upload: a value is not a number.",
    "CSC-E6108": "Return upload: a value is out of range (negative, a percentage above 100, or "
    "implausibly large).",
    "CSC-E6109": "Return upload: a count is not a whole number, or a value has more than four "
    "decimal places.",
    "CSC-E6110": "Return upload: an indicator is listed twice.",
    "CSC-E6111": "Return upload: a sheet has more rows than the template allows.",
    "CSC-E6112": "Return upload: a cost line's category is missing or not in the list.",
    "CSC-E6113": "Return upload: a cost line's one-off/ongoing is missing or not in the list.",
    "CSC-E6114": "Return upload: a cost line's cash/time is missing or not in the list.",
    "CSC-E6115": "Return upload: a cost line's amounts do not fit its kind (cash needs an amount; "
    "staff time needs hours and a cost per hour).",
    "CSC-E6116": "Return upload: a cost line's description or source is missing or too long.",
    "CSC-E6117": "Return: the action is not possible in the return's status (e.g. uploading to a "
    "submitted return).",
    "CSC-E6118": "Return: nothing to submit (no values uploaded yet).",
    "CSC-E6119": "Return upload: the workbook has no values at all.",
    "CSC-E6120": "Return review: a comment or reason is required (has issues, unlock) or empty.",
    "CSC-E6131": "Export: the file format is not one of CSV, XLSX, SAV, DTA.",
    "CSC-E6132": "Export: a row-level export needs a stated purpose.",
    # E6201-E6249: case-file audits in the web platform (csceval.web.case_audits).
    "CSC-E6201": "Case sample: the site's sample at this time point is already being audited, so "
    "it cannot be drawn again.",
    "CSC-E6202": "Case audit: the case already has its raters (a second rater must be another "
    "auditor, and only cases chosen for a second rating get one).",
    "CSC-E6203": "Case audit: a completed rating cannot be changed.",
    "CSC-E6204": "Case audit reconciliation: an agreed answer is missing or not one of the "
    "item's answers.",
    "CSC-E6205": "Case audit reconciliation: nothing to reconcile (both ratings must be completed "
    "and differ).",
    "CSC-E6206": "Case sample: a case that is being rated cannot be replaced by a reserve case.",
    # E6301-E6319: anonymous links (csceval.web.links).
    "CSC-E6301": "Anonymous link: the link is not recognised (mistyped, cut short, or never made).",
    "CSC-E6302": "Anonymous link: the link is not open yet (the page says when it opens).",
    "CSC-E6303": "Anonymous link: the link has closed (its closing time passed, or it was "
    "revoked).",
    "CSC-E6304": "Anonymous link: a one-response link has already been used.",
    "CSC-E6305": "Anonymous link: too many links that do not work were tried; wait, then try "
    "again.",
    "CSC-E6306": "Anonymous link: the link cannot be made as asked (closing before it opens, an "
    "unknown LA code, or a purpose that is not a short lower-case name).",
}
