"""Error codes of the impact strand and its commands (E7100-E7199).

Panel files, estimator input and the project's calibration file.
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "CSC-E7101": "csceval impact: the panel file cannot be read as CSV.",
    "CSC-E7102": "csceval impact: a column named by an option is not in the panel file.",
    "CSC-E7103": "csceval impact: the estimator cannot use the input (the message says why: no "
    "pre-period, no donors, an unbalanced panel, ...).",
    "CSC-E7104": "csceval impact: a --predictor is not written as VARIABLE:YEAR, "
    "VARIABLE:FIRST-LAST or VARIABLE:YEAR,YEAR,...",
    "CSC-E7105": "csceval impact sdid: the treated units are given neither, or both, by "
    "--treated with --start and by --group.",
    "CSC-E7106": "csceval impact calibrate: --adoption-years is not a comma-separated list of "
    "years.",
    "CSC-E7107": "The project's impact_calibration.json is not a calibration (not JSON, no "
    "methods, an unknown method, or a size that is not a share between 0 and 1).",
    "CSC-E7108": "csceval impact synth: --optimize-window or --cross-validate is not FIRST-LAST, "
    "or --custom-v is not one non-negative weight per predictor.",
}
