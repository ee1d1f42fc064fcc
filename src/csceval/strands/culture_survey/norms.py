"""The norm table for T-scores: ``culture_survey_norms.csv`` (a declared project file).

Columns: ``subscale`` (an id of the instrument's subscales), ``mean`` and ``sd`` (the norm
group's mean and standard deviation of *unit-level* subscale means, on the items' scale) and an
optional ``source`` (where the norms come from). A licensed instrument's norms stay with the
evaluation that holds the licence; csceval ships none. ``T = 50 + 10 (x - mean) / sd`` for a
site's mean ``x``.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from csceval.errors import InputError, Problem

FILE = "culture_survey_norms.csv"
MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Norm:
    subscale: str
    mean: float
    sd: float
    source: str = ""

    def t_score(self, value: float) -> float:
        return 50 + 10 * (value - self.mean) / self.sd


def parse_norms(data: bytes, path: str = FILE) -> dict[str, Norm]:
    """Parse the norm table; InputError (CSC-E3411) naming the row and column on any problem."""

    def problem(message: str, row: int | None = None, column: str = "", value: str = "") -> Problem:
        return Problem(
            "CSC-E3411",
            message,
            file=path,
            row=row,
            column=column,
            value=value,
            fix="One row per subscale: subscale,mean,sd[,source]; sd above 0.",
        )

    if len(data) > MAX_BYTES:
        raise InputError([problem(f"The file is larger than {MAX_BYTES} bytes.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError([problem("The file is not UTF-8 text.")]) from error
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("subscale", "mean", "sd") if c not in header]
    if missing:
        raise InputError([problem(f"Column {c!r} is missing.", 1, c) for c in missing])
    norms: dict[str, Norm] = {}
    problems: list[Problem] = []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        name = row["subscale"]
        if name in norms or not name:
            problems.append(problem("The subscale is empty or repeated.", number, "subscale", name))
            continue
        try:
            mean, sd = float(row["mean"]), float(row["sd"])
        except ValueError:
            problems.append(
                problem(
                    "mean and sd must be numbers.", number, "mean", f"{row['mean']}/{row['sd']}"
                )
            )
            continue
        if not (math.isfinite(mean) and math.isfinite(sd) and sd > 0):
            problems.append(problem("sd must be above 0.", number, "sd", row["sd"]))
            continue
        norms[name] = Norm(name, mean, sd, row.get("source", ""))
    if problems:
        raise InputError(problems)
    return norms
