"""The one list of strands: csceval's own and any a package adds through an entry point.

A third-party package registers a strand in its ``pyproject.toml``::

    [project.entry-points."csceval.strands"]
    staff-survey = "staff_survey:STRAND"

Strands run in registry order, except that a strand runs after every strand it ``consumes``,
and a strand that ``consumes_evidence`` after every strand that declares ``evidence``.
The registry checks the declarations once, so a broken plug-in fails loudly at start-up with
what is wrong, never half-way through a run.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points

from csceval.error_codes import ERROR_CODES
from csceval.project import TABLES
from csceval.strands import Strand
from csceval.strands.benchmarking import STRAND as BENCHMARKING
from csceval.strands.child_impact import STRAND as CHILD_IMPACT
from csceval.strands.costs import STRAND as COSTS
from csceval.strands.culture_survey import STRAND as CULTURE_SURVEY
from csceval.strands.family_goals import STRAND as FAMILY_GOALS
from csceval.strands.impact import STRAND as IMPACT
from csceval.strands.implementation import STRAND as IMPLEMENTATION
from csceval.strands.interviews import STRAND as INTERVIEWS
from csceval.strands.key_indicators import STRAND as KEY_INDICATORS
from csceval.strands.quality_of_recording import STRAND as QUALITY_OF_RECORDING
from csceval.strands.scoping import STRAND as SCOPING
from csceval.strands.truth_check import STRAND as TRUTH_CHECK

ENTRY_POINT_GROUP = "csceval.strands"
BUILT_IN: tuple[Strand, ...] = (
    KEY_INDICATORS,
    BENCHMARKING,
    IMPACT,
    CHILD_IMPACT,
    IMPLEMENTATION,
    COSTS,
    QUALITY_OF_RECORDING,
    CULTURE_SURVEY,
    INTERVIEWS,
    FAMILY_GOALS,
    SCOPING,
    TRUTH_CHECK,
)


class RegistryError(RuntimeError):
    """A strand's declarations clash with another's or with the core (a developer's mistake)."""


def _plugins() -> list[Strand]:
    found = []
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        value = point.load()
        if not isinstance(value, Strand):
            raise RegistryError(f"entry point {point.value!r} is not a csceval.strands.Strand")
        found.append(value)
    return found


def _code_number(code: str) -> int:
    return int(code.removeprefix("CSC-E"))


def check_strands(candidates: Iterable[Strand]) -> tuple[Strand, ...]:
    """Check the declarations and order the strands so that consumers follow what they consume.

    Raises :class:`RegistryError` on a repeated id, table, file or error code, a code outside
    its strand's range, overlapping ranges, a consumed strand that is missing or circular, or an
    evidence consumer that an evidence provider consumes (they would wait for each other).
    """
    listed = list(candidates)
    by_id: dict[str, Strand] = {}
    tables = {t.name: "core" for t in TABLES}
    files: dict[str, str] = {}
    codes = dict.fromkeys(ERROR_CODES, "core")
    ranges: list[tuple[int, int, str]] = []
    for strand in listed:
        if strand.id in by_id:
            raise RegistryError(f"two strands have the id {strand.id!r}")
        by_id[strand.id] = strand
        for table in strand.tables:
            if table.name in tables:
                raise RegistryError(
                    f"{strand.id}: table {table.name!r} is already {tables[table.name]}'s"
                )
            tables[table.name] = strand.id
        for declared in strand.files:
            if declared.path in files or declared.name in files:
                raise RegistryError(f"{strand.id}: file {declared.path!r} is declared twice")
            files[declared.path] = files[declared.name] = strand.id
        if strand.error_codes and strand.error_range is None:
            raise RegistryError(f"{strand.id}: error codes without an error_range")
        if strand.error_range is not None:
            low, high = strand.error_range
            for other_low, other_high, other in ranges:
                if low <= other_high and other_low <= high:
                    raise RegistryError(f"{strand.id}: error range overlaps {other}'s")
            ranges.append((low, high, strand.id))
            for code in strand.error_codes:
                if code in codes:
                    raise RegistryError(f"{strand.id}: {code} is already {codes[code]}'s")
                if not low <= _code_number(code) <= high:
                    raise RegistryError(f"{strand.id}: {code} is outside its range {low}-{high}")
                codes[code] = strand.id
    for code, owner in codes.items():
        if owner == "core":
            for low, high, other in ranges:
                if low <= _code_number(code) <= high and code not in by_id[other].error_codes:
                    raise RegistryError(f"core code {code} lies in {other}'s range")
    return _ordered(listed, by_id)


def _consumed_by(strand: Strand, by_id: Mapping[str, Strand]) -> set[str]:
    """Every strand ``strand`` consumes, directly or through others (registered ones only)."""
    found: set[str] = set()
    todo = [w for w in strand.consumes if w in by_id]
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo += [w for w in by_id[current].consumes if w in by_id]
    return found


def _ordered(listed: list[Strand], by_id: Mapping[str, Strand]) -> tuple[Strand, ...]:
    """Consumers after what they consume; evidence consumers after every evidence provider."""
    done: list[Strand] = []
    visiting: set[str] = set()
    providers = [s for s in listed if s.evidence is not None]
    for strand in listed:
        if not strand.consumes_evidence:
            continue
        for provider in providers:
            if provider.id != strand.id and strand.id in _consumed_by(provider, by_id):
                raise RegistryError(
                    f"{strand.id} consumes evidence, but evidence provider {provider.id} "
                    "consumes it: they would wait for each other in a circle"
                )

    def visit(strand: Strand) -> None:
        if any(s.id == strand.id for s in done):
            return
        if strand.id in visiting:
            raise RegistryError(f"{strand.id}: strands consume each other in a circle")
        visiting.add(strand.id)
        for wanted in strand.consumes:
            if wanted not in by_id:
                raise RegistryError(f"{strand.id} consumes {wanted!r}, which is not registered")
            visit(by_id[wanted])
        if strand.consumes_evidence:
            for provider in providers:
                if provider.id != strand.id:
                    visit(provider)
        visiting.discard(strand.id)
        done.append(strand)

    for strand in listed:
        visit(strand)
    return tuple(done)


@functools.cache
def registered_strands() -> tuple[Strand, ...]:
    """Every strand, built-in first, then plug-ins by entry-point name; consumers after inputs."""
    return check_strands([*BUILT_IN, *_plugins()])


def strand(strand_id: str) -> Strand:
    """The registered strand with this id (KeyError if there is none)."""
    for candidate in registered_strands():
        if candidate.id == strand_id:
            return candidate
    raise KeyError(strand_id)


def all_error_codes() -> dict[str, str]:
    """The core's codes and every strand's, sorted by code (docs/errors.md lists these)."""
    merged = dict(ERROR_CODES)
    for registered in registered_strands():
        merged.update(registered.error_codes)
    return dict(sorted(merged.items()))
