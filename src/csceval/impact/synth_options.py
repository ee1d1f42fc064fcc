"""The synthetic-control options of ``csceval impact synth``, parsed into a specification.

Predictors are written ``VARIABLE:YEAR``, ``VARIABLE:FIRST-LAST`` or, for a special predictor
(R ``Synth``'s ``special.predictors``: a mean over named years), ``VARIABLE:YEAR,YEAR,...``
(ranges allowed inside the list: ``sec.energy:1961,1963,1965-1967``). Windows are
``FIRST-LAST``; custom V is one weight per predictor, comma-separated. Every mistake is a coded
problem (CSC-E7104 for a predictor, CSC-E7108 for the other options), all reported together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from csceval.errors import InputError, Problem
from csceval.impact.synth_spec import Predictor

__all__ = ["parse_custom_v", "parse_synth_predictors", "parse_window"]

_YEARS = r"\d{4}(?:-\d{4})?"
_PREDICTOR = re.compile(rf"^(?P<var>[^:]+):(?P<years>{_YEARS}(?:,{_YEARS})*)$")
_WINDOW = re.compile(r"^(?P<first>\d{4})-(?P<last>\d{4})$")


def _expand(part: str) -> list[int]:
    first, _, last = part.partition("-")
    return list(range(int(first), int(last or first) + 1))


def parse_synth_predictor(text: str, option: str = "--predictor") -> Predictor:
    """One predictor spec; :class:`InputError` (CSC-E7104) when it is written otherwise."""
    match = _PREDICTOR.match(text.strip())
    bad = match is None or any(
        int(a) > int(b)
        for a, _, b in (p.partition("-") for p in match["years"].split(",") if "-" in p)
    )
    if match is None or bad:
        raise InputError(
            [
                Problem(
                    "CSC-E7104",
                    "predictor not understood",
                    column=option,
                    value=text,
                    fix=(
                        "write VARIABLE:YEAR, VARIABLE:FIRST-LAST (first <= last) or "
                        "VARIABLE:YEAR,YEAR,... e.g. beer:1984-1988 or sec.energy:1961,1963,1965"
                    ),
                )
            ]
        )
    parts = match["years"].split(",")
    if len(parts) == 1:
        years = _expand(parts[0])
        return Predictor(match["var"], years[0], years[-1] if len(years) > 1 else None)
    return Predictor.over(match["var"], [y for p in parts for y in _expand(p)])


def parse_synth_predictors(
    texts: Iterable[str], option: str = "--predictor"
) -> tuple[Predictor, ...]:
    """Every predictor spec parsed; all the mistakes reported together (CSC-E7104)."""
    parsed: list[Predictor] = []
    problems: list[Problem] = []
    for text in texts:
        try:
            parsed.append(parse_synth_predictor(text, option))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return tuple(parsed)


def parse_window(text: str | None, option: str) -> tuple[int, int] | None:
    """``FIRST-LAST`` as ``(first, last)``; CSC-E7108 when it is written otherwise."""
    if text is None:
        return None
    match = _WINDOW.match(text.strip())
    if match is None or int(match["first"]) > int(match["last"]):
        raise InputError(
            [
                Problem(
                    "CSC-E7108",
                    "window not understood",
                    column=option,
                    value=text,
                    fix="write FIRST-LAST with first <= last, e.g. 1960-1969",
                )
            ]
        )
    return int(match["first"]), int(match["last"])


def parse_custom_v(text: str | None, n_predictors: int | None) -> tuple[float, ...] | None:
    """``W1,W2,...``: one non-negative weight per predictor; CSC-E7108 otherwise.

    ``n_predictors=None`` (outcome-only predictors: one per observed pre-period year, known
    only once the panel is read) leaves the count to the estimator's check."""
    if text is None:
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    ok = (
        len(values) > 0
        and (n_predictors is None or len(values) == n_predictors)
        and all(v >= 0 and v < float("inf") for v in values)
        and sum(values) > 0
    )
    if not ok:
        raise InputError(
            [
                Problem(
                    "CSC-E7108",
                    f"--custom-v needs {n_predictors or 'one per predictor:'} non-negative "
                    "weights, not all zero (one per --predictor, in order)",
                    column="--custom-v",
                    value=text,
                    fix="write W1,W2,... e.g. 0.5,0.25,0.25",
                )
            ]
        )
    return values
