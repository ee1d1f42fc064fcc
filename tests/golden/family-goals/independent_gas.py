"""Independent hand computation of Kiresuk-Sherman T-scores (standard library only).

Writes gas_t_scores.json. Uses exact rational arithmetic for the sums and 60-digit decimal
square roots, and shares no code with csceval. Run: python3 independent_gas.py
"""

import json
from decimal import Decimal, getcontext
from fractions import Fraction

getcontext().prec = 60

CASES = [
    # (label, levels (None = not rated), weights (None = equal), rho, source)
    (
        "gasr roxygen example: six weighted goals",
        [-2, 0, -1, 2, 0, 1],
        [3, 5, 1, 4, 2, 6],
        "0.3",
        "gasr::calc_tscore example; 55 exactly (reference/measurement_and_cba.md s.3)",
    ),
    ("three goals as expected", [0, 0, 0], None, "0.3", "T = 50 by construction"),
    ("three goals somewhat less", [-1, -1, -1], None, "0.3", "measurement_and_cba.md s.3"),
    ("three goals much less", [-2, -2, -2], None, "0.3", "measurement_and_cba.md s.3"),
    ("three goals somewhat more", [1, 1, 1], None, "0.3", "measurement_and_cba.md s.3"),
    ("three goals much more", [2, 2, 2], None, "0.3", "measurement_and_cba.md s.3"),
    ("four mixed goals", [1, 0, -1, 2], None, "0.3", "measurement_and_cba.md s.3"),
    ("one goal", [1], None, "0.3", "one goal: T = 50 + 10x"),
    ("two weighted goals", [1, -1], [2, 1], "0.3", "measurement_and_cba.md s.3"),
    (
        "three weighted goals summing to zero",
        [0, 1, -1],
        [4, 3, 3],
        "0.3",
        "measurement_and_cba.md s.3",
    ),
    ("rho 0", [1, 1, 1], None, "0", "measurement_and_cba.md s.3"),
    ("rho 1", [1, 1, 1], None, "1", "measurement_and_cba.md s.3"),
    (
        "weighted with a goal not rated",
        [-2, None, -1, 2, 0, 1],
        [3, 5, 1, 4, 2, 6],
        "0.3",
        "hand: the unrated goal is left out of both sums",
    ),
    (
        "equal weights, two of five not rated",
        [2, None, 1, None, -1],
        None,
        "0.3",
        "hand: the unrated goals are left out of both sums",
    ),
    (
        "Turner-Stokes-style weights importance x difficulty",
        [-1, 0, 1, 2],
        [6, 2, 9, 3],
        "0.3",
        "hand: weights 2x3, 1x2, 3x3, 3x1 (importance x difficulty)",
    ),
    ("fractional weights, rho 0.5", [-2, 1, 0], [0.5, 1.25, 2], "0.5", "hand"),
    ("all goals not rated", [None, None], [1, 2], "0.3", "hand: undefined (null)"),
]


def t_score(levels, weights, rho):
    rho = Fraction(rho)
    pairs = [
        (Fraction(str(w)) if weights else Fraction(1), Fraction(x))
        for x, w in zip(levels, weights or [None] * len(levels), strict=True)
        if x is not None
    ]
    if not pairs:
        return None
    num = sum(w * x for w, x in pairs)
    den2 = (1 - rho) * sum(w * w for w, _ in pairs) + rho * sum(w for w, _ in pairs) ** 2
    den = Decimal(den2.numerator) / Decimal(den2.denominator)
    value = (
        Decimal(50) + Decimal(10) * (Decimal(num.numerator) / Decimal(num.denominator)) / den.sqrt()
    )
    return float(value)


rows = [
    {
        "label": label,
        "levels": levels,
        "weights": weights,
        "rho": float(rho),
        "t_score": t_score(levels, weights, rho),
        "source": source,
    }
    for label, levels, weights, rho, source in CASES
]
with open("gas_t_scores.json", "w") as handle:
    json.dump({"cases": rows}, handle, indent=1)
    handle.write("\n")
