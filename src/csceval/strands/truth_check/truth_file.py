"""``truth.json``, the simulator's record of what it injected: reading and checking it.

The truth check reads only the core part (``effects``, ``exposure``, ``null_indicators``);
strands' own truths (``case_audits``, ``family_goals``, ...) are left as they are. The file is a
declared project file, so the loader refuses one over 5 MB before reading it (CSC-E2020) and
this parser turns any other fault into a coded problem (CSC-E3701-E3704), never a traceback.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from csceval.errors import InputError, Problem
from csceval.project.documents import parse_json

TRUTH_FILE = "truth.json"
FIX = "simulate the project again (csceval simulate), or delete truth.json"

Form = Literal["relative", "absolute_pp"]


@dataclass(frozen=True)
class InjectedEffect:
    """One injected effect: its form and each pilot's full size.

    ``relative``: the expected count (and rate) times ``1 + size x exposure``;
    ``absolute_pp``: the expected percentage plus ``size x exposure`` percentage points.
    """

    indicator: str
    """The effect's own indicator: the key of its exposure in ``exposure``."""
    applies_to: tuple[str, ...]
    form: Form
    per_pilot: dict[str, float]


@dataclass(frozen=True)
class InjectedTruth:
    """The parts of ``truth.json`` the truth check uses."""

    seed: int | None
    effects: tuple[InjectedEffect, ...]
    exposure: dict[str, dict[str, dict[int, float]]]
    """Pilot LA code -> effect indicator -> year ending 31 March -> share of the full effect."""
    null_indicators: tuple[str, ...]

    def effect_on(self, indicator: str) -> InjectedEffect | None:
        """The effect injected on ``indicator`` (None on a null indicator)."""
        return next((e for e in self.effects if indicator in e.applies_to), None)


def _fail(code: str, message: str, file: str) -> InputError:
    return InputError([Problem(code, message, file=file, fix=FIX)])


def _number(value: Any, where: str, file: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail("CSC-E3704", f"{where} is {value!r}, not a finite number", file)
    return float(value)


def _mapping(value: Any, where: str, file: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail("CSC-E3703", f"{where} is not an object", file)
    return value


def _effect(raw: Any, k: int, file: str) -> InjectedEffect:
    entry = _mapping(raw, f"effects[{k}]", file)
    indicator, applies, form = entry.get("indicator"), entry.get("applies_to"), entry.get("form")
    if not isinstance(indicator, str) or form not in ("relative", "absolute_pp"):
        raise _fail("CSC-E3703", f"effects[{k}] has no indicator or an unknown form", file)
    if not isinstance(applies, list) or not all(isinstance(a, str) for a in applies):
        raise _fail("CSC-E3703", f"effects[{k}].applies_to is not a list of indicators", file)
    sizes = _mapping(entry.get("per_pilot"), f"effects[{k}].per_pilot", file)
    per_pilot = {
        str(la): _number(v, f"effects[{k}].per_pilot[{la}]", file) for la, v in sizes.items()
    }
    return InjectedEffect(indicator, tuple(applies) or (indicator,), form, per_pilot)


def _exposure(raw: Any, file: str) -> dict[str, dict[str, dict[int, float]]]:
    out: dict[str, dict[str, dict[int, float]]] = {}
    for la, by_indicator in _mapping(raw, "exposure", file).items():
        out[la] = {}
        for indicator, by_year in _mapping(by_indicator, f"exposure[{la}]", file).items():
            years = _mapping(by_year, f"exposure[{la}][{indicator}]", file)
            out[la][indicator] = {}
            for year, share in years.items():
                where = f"exposure[{la}][{indicator}][{year}]"
                value = _number(share, where, file)
                if not str(year).isdigit() or not 0.0 <= value <= 1.0:
                    raise _fail(
                        "CSC-E3704", f"{where} = {value!r}: not a year with a 0-1 share", file
                    )
                out[la][indicator][int(year)] = value
    return out


def parse_truth(data: bytes, file: str = TRUTH_FILE) -> InjectedTruth:
    """The injected truth from ``truth.json``'s bytes (:class:`InputError` when it is broken)."""
    try:
        raw = parse_json(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail("CSC-E3701", f"not valid UTF-8 JSON ({exc})", file) from None
    if not isinstance(raw, dict):
        raise _fail("CSC-E3701", "the file holds a JSON value, not an object", file)
    if raw.get("synthetic") is not True:
        raise _fail("CSC-E3702", 'no "synthetic": true: not a simulator\'s truth', file)
    effects = raw.get("effects")
    nulls = raw.get("null_indicators")
    if not isinstance(effects, list) or not isinstance(nulls, list):
        raise _fail("CSC-E3703", "effects or null_indicators is missing or not a list", file)
    seed = raw.get("seed")
    return InjectedTruth(
        seed=seed if isinstance(seed, int) and not isinstance(seed, bool) else None,
        effects=tuple(_effect(e, k, file) for k, e in enumerate(effects)),
        exposure=_exposure(raw.get("exposure"), file),
        null_indicators=tuple(str(i) for i in nulls),
    )
