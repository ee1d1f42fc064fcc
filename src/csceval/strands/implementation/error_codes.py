"""Error codes of the theory-of-change and implementation strand (E3100-E3199).

E3101-E3149 the theory-of-change file, E3150-E3199 plans and self-profiles.
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "CSC-E3101": "theory_of_change.toml is not valid TOML; the message gives the line and column.",
    "CSC-E3102": "theory_of_change.toml has a missing, unknown or wrongly typed setting.",
    "CSC-E3103": "Two theories, or two nodes of one theory, share an id.",
    "CSC-E3104": "A theory-of-change node has an unknown kind (input, activity, output or "
    "outcome).",
    "CSC-E3105": "A theory-of-change edge starts or ends at a node the theory does not have.",
    "CSC-E3106": "A theory-of-change edge goes backwards in the chain (e.g. from an outcome to "
    "an activity).",
    "CSC-E3107": "The theory of change has a cycle; the message names the nodes on it.",
    "CSC-E3108": "A node's evidence names an unknown indicator, instrument or strand.",
    "CSC-E3109": "A theory of change has no nodes, or the file has no theory.",
    "CSC-E3150": "A self-profile rating is outside 0-10 or not a whole number.",
    "CSC-E3151": "A milestone or self-profile names an unknown implementation element.",
    "CSC-E3152": "A self-profile's time point is not one of the evaluation's periods.time_points.",
    "CSC-E3153": "A milestone or self-profile is for an LA that is not a pilot site.",
    "CSC-E3154": "A milestone's status does not fit its dates (achieved without an achieved "
    "date, or an achieved date with another status).",
    "CSC-E3155": "A self-profile row lacks a required value or repeats a pilot, time point and "
    "element.",
}
