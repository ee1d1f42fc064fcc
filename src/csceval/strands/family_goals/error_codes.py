"""Error codes of the family goals strand (E3300-E3399).

Goal records, follow-up ratings and the ``csceval goals score`` file.
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "CSC-E3301": "Family goals: the LA is not a pilot, exited or contrast site in evaluation.toml.",
    "CSC-E3302": "Family goals: the time point is not in evaluation.toml's periods.time_points.",
    "CSC-E3303": "Family goals: an importance weight is not greater than 0.",
    "CSC-E3304": "Goal ratings: the family or goal is not in data/family_goals.csv.",
    "CSC-E3305": "Goal ratings: a second entry (entry 2) without a first entry (entry 1) of the "
    "same rating.",
    "CSC-E3306": "Family goals: a family pseudonym is not of the form P- followed by letters "
    "and digits (names and case numbers are refused).",
    "CSC-E3307": "Goal concordance: the parent's or the worker's goal is not a goal of that "
    "family (with that source) in data/family_goals.csv.",
    "CSC-E3311": "Goals file: the file cannot be read (missing, too large, not UTF-8 CSV, or "
    "empty).",
    "CSC-E3312": "Goals file: a required column (family, goal, weight, rating) is missing.",
    "CSC-E3313": "Goals file: a weight is not a number greater than 0.",
    "CSC-E3314": "Goals file: a rating is not one of -2, -1, 0, 1, 2 (blank = not rated).",
    "CSC-E3315": "Goals file: the same goal of the same family appears twice.",
    "CSC-E3316": "Goals file: a family or goal id is empty, or a family is in two sites.",
    "CSC-E3321": "Family goals (web): the family is already in the site's sample at this time "
    "point.",
    "CSC-E3322": "Family goals (web): a goal that has been rated at review cannot be changed "
    "(add a new goal instead).",
    "CSC-E3317": "Goals scoring: rho (the assumed correlation between goals) is not between 0 "
    "and 1.",
}
