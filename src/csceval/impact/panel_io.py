"""Reading any long-format panel CSV (one row per unit and period) for the impact estimators.

What ``csceval impact ...`` does before it calls an estimator, as functions a notebook can call
too: read the CSV and check its columns, parse ``VARIABLE:FIRST-LAST`` predictor specs and
adoption years, say which units are treated, and build the units x periods panel. Every mistake
raises :class:`~csceval.errors.InputError` with coded problems (CSC-E71xx), never a bare error.

>>> data, panel = read_synth_panel("prop99.csv", unit="state", time="year", variables=["cigsale"])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import pandas as pd

from csceval.errors import InputError, Problem
from csceval.impact.synth import Predictor, SynthPanel

T = TypeVar("T")

PREDICTOR = re.compile(r"^(?P<var>[^:]+):(?P<start>\d{4})(?:-(?P<end>\d{4}))?$")


def read_panel(path: Path | str, columns: Mapping[str, str]) -> pd.DataFrame:
    """Read the CSV (UTF-8, a BOM allowed) and check that every named column exists.

    ``columns`` maps what a column is for (``"unit"``, ``"outcome"``, ``"predictor beer"``) to
    its name in the file. Raises CSC-E7101 (not a readable CSV) or CSC-E7102 (missing columns).
    """
    try:
        data = pd.read_csv(path, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(
            [Problem("CSC-E7101", f"cannot read the panel as CSV ({exc})", file=str(path))]
        ) from exc
    missing = [
        Problem(
            "CSC-E7102",
            f"the {role} column is not in the file",
            file=str(path),
            column=name,
            fix=f"the columns are {', '.join(map(str, data.columns))}",
        )
        for role, name in columns.items()
        if name not in data.columns
    ]
    if missing:
        raise InputError(missing)
    return data


def estimator_input(source: Path | str, run: Callable[[], T]) -> T:
    """Call ``run`` (an estimator), turning its refusal of the input (a ``ValueError``) into a
    coded problem CSC-E7103 that names ``source``."""
    try:
        return run()
    except ValueError as exc:
        raise InputError(
            [Problem("CSC-E7103", f"the estimator cannot use this input: {exc}", file=str(source))]
        ) from exc


def to_synth_panel(
    data: pd.DataFrame, *, unit: str, time: str, variables: Sequence[str], source: Path | str = ""
) -> SynthPanel:
    """The units x periods panel of ``variables`` (unit labels as text); CSC-E7103 when the long
    table cannot be one (duplicate rows, non-integer periods, ...)."""
    data = data.assign(**{unit: data[unit].astype(str)})
    return estimator_input(
        source,
        lambda: SynthPanel.from_long(data, unit=unit, time=time, variables=list(variables)),
    )


def read_synth_panel(
    path: Path | str,
    *,
    unit: str,
    time: str,
    variables: Sequence[str],
    columns: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, SynthPanel]:
    """The checked CSV (unit labels as text) and its units x periods panel of ``variables``.

    ``columns`` names further columns that must exist, by role (see :func:`read_panel`); the
    unit, time and variable columns are always checked.
    """
    needed = {"unit": unit, "time": time, **(columns or {})}
    needed |= {f"variable {v}": v for v in variables if v not in needed.values()}
    data = read_panel(path, needed)
    data[unit] = data[unit].astype(str)
    return data, to_synth_panel(data, unit=unit, time=time, variables=variables, source=path)


def read_treated_panel(
    path: Path | str,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated: Sequence[str] = (),
    start: int | None = None,
    group: str | None = None,
) -> tuple[SynthPanel, dict[str, int]]:
    """The units x periods panel of ``outcome`` and the treated units' first treated periods,
    given by ``treated`` and ``start`` or by the ``group`` column (:func:`adoption_from`)."""
    data, panel = read_synth_panel(
        path,
        unit=unit,
        time=time,
        variables=[outcome],
        columns={"outcome": outcome} | ({"group": group} if group else {}),
    )
    return panel, adoption_from(data, unit, treated=treated, start=start, group=group, source=path)


def parse_predictor(text: str) -> Predictor:
    """``VARIABLE:YEAR`` or ``VARIABLE:FIRST-LAST`` (e.g. ``beer:1984-1988``) as a predictor;
    CSC-E7104 when it is written otherwise."""
    match = PREDICTOR.match(text)
    if not match:
        raise InputError(
            [
                Problem(
                    "CSC-E7104",
                    "predictor not understood",
                    column="--predictor",
                    value=text,
                    fix="write VARIABLE:YEAR or VARIABLE:FIRST-LAST, e.g. beer:1984-1988",
                )
            ]
        )
    end = match["end"]
    return Predictor(match["var"], int(match["start"]), int(end) if end else None)


def parse_predictors(texts: Iterable[str]) -> tuple[Predictor, ...]:
    """Every predictor spec parsed; all the mistakes reported together (CSC-E7104)."""
    parsed: list[Predictor] = []
    problems: list[Problem] = []
    for text in texts:
        try:
            parsed.append(parse_predictor(text))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return tuple(parsed)


def parse_adoption_years(text: str) -> list[int]:
    """``"2019,2019,2020"``: one adoption year per pilot; CSC-E7106 when it is not such a list."""
    try:
        return [int(y) for y in text.split(",") if y.strip()]
    except ValueError as exc:
        raise InputError(
            [
                Problem(
                    "CSC-E7106",
                    "--adoption-years is not a comma-separated list of years",
                    value=text,
                    fix="write one year per pilot, e.g. 2019,2019,2020,2021",
                )
            ]
        ) from exc


def adoption_from(
    data: pd.DataFrame,
    unit: str,
    *,
    treated: Sequence[str] = (),
    start: int | None = None,
    group: str | None = None,
    source: Path | str = "",
) -> dict[str, int]:
    """Treated unit -> first treated period, from ``treated`` and ``start`` or from ``group``
    (a column of first treated periods, 0 or empty = never treated).

    CSC-E7105 unless exactly one of the two ways is used; CSC-E7103 when ``group`` varies within
    a unit.
    """
    if bool(treated) == bool(group) or (treated and start is None):
        raise InputError(
            [
                Problem(
                    "CSC-E7105",
                    "say which units are treated either with --treated (one or more) and "
                    "--start, or with --group (a column of first treated periods, 0 = never)",
                    file=str(source),
                )
            ]
        )
    if treated:
        assert start is not None
        return {str(t): start for t in treated}
    assert group is not None
    firsts = data.groupby(data[unit].astype(str))[group].agg(["min", "max"])
    uneven = firsts.index[firsts["min"] != firsts["max"]]
    if len(uneven):
        raise InputError(
            [
                Problem(
                    "CSC-E7103",
                    "the estimator cannot use this input: the --group column varies within a unit",
                    file=str(source),
                    column=group,
                    value=str(uneven[0]),
                )
            ]
        )
    return {str(u): int(g) for u, g in firsts["min"].items() if pd.notna(g) and g > 0}
