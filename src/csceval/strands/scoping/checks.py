"""Rules across the scoping strand's tables and the core tables."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from csceval.errors import Problem
from csceval.project import EvaluationSettings
from csceval.strands.scoping.hexes import shared_cells
from csceval.strands.scoping.responses_io import response_problems
from csceval.strands.scoping.tables import LA_HEXES, SCOPING_RESPONSES


def check_scoping(
    settings: EvaluationSettings, tables: Mapping[str, pd.DataFrame]
) -> list[Problem]:
    """Responses (E3504-E3507) and the hex layout (E3513)."""
    las = tables["local_authorities"]
    known = set(las["la_code"].astype(str))
    problems: list[Problem] = []
    responses = tables.get("scoping_responses")
    if responses is not None and not responses.empty:
        problems += response_problems(responses, known, SCOPING_RESPONSES.file)
    hexes = tables.get("la_hexes")
    if hexes is None or hexes.empty:
        return problems
    for i, code in enumerate(hexes["la_code"].astype(str)):
        if code not in known:
            problems.append(
                Problem(
                    "CSC-E3513",
                    "LA code is not in data/local_authorities.csv",
                    LA_HEXES.file,
                    i + 2,
                    "la_code",
                    code,
                    "remove the row or correct the code",
                )
            )
    for a, b in shared_cells(hexes, las):
        row = int(hexes.index[hexes["la_code"].astype(str) == b][0]) + 2
        problems.append(
            Problem(
                "CSC-E3513",
                f"LA {b} shares its cell with LA {a}, and both exist in the same year",
                LA_HEXES.file,
                row,
                "q",
                b,
                "move one of them to a free cell",
            )
        )
    return problems
