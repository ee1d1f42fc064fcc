"""Error codes of the quality-of-recording strand (E3200-E3299).

Case lists, samples, audit instruments and case audits.
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "CSC-E3201": "Case audit: the pseudonym key is missing or too short (the LA supplies it; "
    "csceval never stores it).",
    "CSC-E3202": "Case list: the file cannot be read (not UTF-8 CSV or XLSX, or empty).",
    "CSC-E3203": "Case list: a required column (case_id, stratum) is missing, or a derived "
    "table lacks a documented column.",
    "CSC-E3204": "Case list: a column's name shows it holds direct identifiers (names, dates of "
    "birth, UPN, NHS number, address, postcode); the upload is refused.",
    "CSC-E3205": "Case list: a value looks like a direct identifier (a valid NHS number, a UPN, a "
    "full postcode); the upload is refused and the value is shown masked.",
    "CSC-E3206": "Case list: a case id or stratum is empty.",
    "CSC-E3207": "Case list: the same case id appears twice.",
    "CSC-E3208": "Case list: a date is not YYYY-MM-DD, or a case closes before it opens.",
    "CSC-E3209": "Case list: no cases to sample from.",
    "CSC-E3211": "Case sample: an impossible sampling setting (sample size, allocation, reserve).",
    "CSC-E3212": "Case sample: a replacement names a case that is not in the sample, or the "
    "stratum has no reserve case left.",
    "CSC-E3221": "Audit instrument: the file cannot be read as TOML.",
    "CSC-E3222": "Audit instrument: a field is missing, unknown or of the wrong type.",
    "CSC-E3223": "Audit instrument: two sections, items or scales share an id.",
    "CSC-E3224": "Audit instrument: a response scale is malformed (fewer than two anchors, "
    "values out of order).",
    "CSC-E3225": "Audit instrument: an item names an unknown scale, or a scoring rule is "
    "impossible.",
    "CSC-E3231": "Case audits: the instrument (id and version) is not a known instrument.",
    "CSC-E3232": "Case audits: the item is not in the instrument.",
    "CSC-E3233": "Case audits: the value is not on the item's response scale.",
    "CSC-E3234": "Case audits: the LA is not a site, or the time point is not in evaluation.toml.",
    "CSC-E3235": "Case audits: the audited case is not in data/case_samples.csv as sampled.",
    "CSC-E3236": "Case audits: the same rater rated the same item of the same case twice, or a "
    "case-item has more than one reconciled rating.",
}
