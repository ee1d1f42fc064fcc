"""The core files of a simulated project: evaluation.toml, the core tables, the README.

Strands add their own files (``Strand.simulate``); :func:`csceval.pipeline.simulate_project`
writes both. Everything is in a fixed order with fixed formatting (no timestamps, ``\\n`` line
endings, sorted rows), so the same seed always gives byte-identical files.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

import numpy as np

from csceval.project.schema import TableSchema
from csceval.project.tables import (
    FRAMEWORK_REGISTER,
    INDICATORS,
    LOCAL_AUTHORITIES,
    REORGANISATIONS,
    STATISTICAL_NEIGHBOURS,
)
from csceval.simulate import calibration as cal
from csceval.simulate.formatting import dfe_values
from csceval.simulate.pilots import FRAMEWORK, TIME_POINTS
from csceval.simulate.scoping import register_rows
from csceval.simulate.truth import GENERATOR_VERSION
from csceval.simulate.world import World

ANALYSIS_INDICATORS = (
    "referral_rate_per_10k",
    "rereferral_within_12m_pct",
    "cin_rate_per_10k",
    "s47_rate_per_10k",
    "icpc_rate_per_10k",
    "cpp_rate_per_10k",
    "repeat_cpp_pct",
    "cla_rate_per_10k",
    "cla_starts_rate_per_10k",
    "assessments_within_45_days_pct",
    "cla_3plus_placements_pct",
    "sw_turnover_pct",
    "sw_agency_pct",
)


def table_csv(schema: TableSchema, rows: Sequence[Sequence[object]]) -> str:
    """A table's CSV text: its declared header, then the rows, ``\\n`` line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(schema.column_names)
    writer.writerows(rows)
    return buffer.getvalue()


def core_files(world: World) -> tuple[dict[str, str], int, int]:
    """The text of every core file, by relative path; plus indicator rows and suppressed cells.

    ``truth.json`` is not among them: the pipeline writes it with every strand's truth.
    """
    geo = world.geography
    las = sorted(geo.las, key=lambda la: la.la_code)
    local_authorities = [
        [la.la_code, la.gss_code, la.name, la.region.code, la.region.name, la.first_year,
         "" if la.last_year is None else la.last_year, world.groups[la.index]]
        for la in las
    ]  # fmt: skip
    neighbours = sorted(
        ([n.la_code, n.rank, n.neighbour_code, n.closeness, ""] for n in world.neighbours),
        key=lambda row: (str(row[0]), int(str(row[1]))),
    )
    reorganisations = sorted(
        [r.year, old, new, r.kind] for r in geo.reorganisations for old in r.old for new in r.new
    )
    panel = world.panel
    values = dfe_values(panel)
    indicators = [
        [code, int(year), indicator, value]
        for code, year, indicator, value in zip(
            panel["la_code"], panel["year"], panel["indicator"], values, strict=True
        )
    ]
    files = {
        "evaluation.toml": evaluation_toml(world),
        LOCAL_AUTHORITIES.file: table_csv(LOCAL_AUTHORITIES, local_authorities),
        STATISTICAL_NEIGHBOURS.file: table_csv(STATISTICAL_NEIGHBOURS, list(neighbours)),
        REORGANISATIONS.file: table_csv(REORGANISATIONS, [list(r) for r in reorganisations]),
        FRAMEWORK_REGISTER.file: table_csv(FRAMEWORK_REGISTER, register_rows(world)),
        INDICATORS.file: table_csv(INDICATORS, indicators),
        "README.md": readme(world),
    }
    return files, len(indicators), int(np.count_nonzero(values == "c"))


def _s(text: str) -> str:
    """A TOML basic string (JSON escaping is valid TOML for these texts)."""
    return json.dumps(text, ensure_ascii=False)


def evaluation_toml(world: World) -> str:
    """``evaluation.toml``: hand-written TOML in a fixed key order."""
    seed = world.seed
    lines = [
        f"# SYNTHETIC DATA written by `csceval simulate --seed {seed}`: every LA is fictional.",
        "# The true effects injected are in truth.json.",
        "format_version = 1",
        "",
        "[evaluation]",
        f"name = {_s(f'Synthetic England: Signs of Safety pilots (SYNTHETIC, seed {seed})')}",
        f"frameworks = [{_s(FRAMEWORK)}]",
        'price_year = "2019-20"',
        "description = "
        + _s(
            "A simulated evaluation of a practice framework in ten fictional pilot local "
            "authorities with staggered adoption, two of which exited; for demonstration and "
            "for testing estimators against known effects. Not real data."
        ),
        "assumptions = ["
        + ", ".join(
            _s(line)
            for line in (
                "Every local authority, child, family and worker is fictional: the numbers "
                "were simulated.",
                "The pilots' adoption dates are set by the simulator, so here they are known; "
                "in a real evaluation they are assumptions, to be stated with their sources.",
                "The effects injected into the simulated data are in truth.json; the truth "
                "check compares the estimates with them.",
            )
        )
        + "]",
        "synthetic = true",
        "",
        "[disclosure]",
        "min_count = 5",
        "secondary = true",
        "round_aggregates_to = 10",
        "percent_dp = 1",
        "rate_dp = 1",
        "",
        "[periods]",
        f"first_year = {cal.FIRST_YEAR}",
        f"last_year = {cal.LAST_YEAR}",
        'financial_years = ["2017-18", "2018-19"]',
    ]
    for tp, start, end, label in TIME_POINTS:
        lines += ["", "[[periods.time_points]]", f'id = "{tp}"', f"start = {start}",
                  f"end = {end}", f'label = "{label}"']  # fmt: skip
    lines += [
        "",
        "[analysis]",
        "indicators = [",
        *(f"    {_s(i)}," for i in ANALYSIS_INDICATORS),
        "]",
        'estimators = ["descriptive", "trend", "synth", "did", "sdid"]',
        'comparators = "statistical_neighbours"',
        "",
        "[impact]",
        "# 100 pseudo-pilot draws calibrate the verdicts on this design (cached after the",
        "# first run); 200 or more for a publication.",
        "calibration_draws = 100",
    ]
    for p in world.design.pilots:
        lines += [
            "",
            "[[sites]]",
            f'la_code = "{p.la_code}"',
            f"name = {_s(p.name)}",
            f'role = "{p.role}"',
            f"framework = {_s(FRAMEWORK)}",
            f"implementation_start = {p.implementation_start.isoformat()}",
            f"fully_embedded = {p.fully_embedded.isoformat()}",
            f"neighbour_group = {_s(world.groups[p.index])}",
        ]
        if p.exit_date is not None:
            lines.append(f"exit_date = {p.exit_date.isoformat()}")
    for c in world.design.contrasts:
        lines += [
            "",
            "[[sites]]",
            f'la_code = "{c.la_code}"',
            f"name = {_s(c.name)}",
            'role = "contrast"',
            f"framework = {_s(c.framework)}",
            f"neighbour_group = {_s(world.groups[c.index])}",
        ]
    return "\n".join(lines) + "\n"


def readme(world: World) -> str:
    """The project's README: what it is, how it was made, what is in it."""
    design, geo = world.design, world.geography
    pilots = ", ".join(f"{p.name} ({p.la_code})" for p in design.pilots)
    exited = ", ".join(f"{p.name} ({p.exit_date})" for p in design.pilots if p.exit_date)
    return f"""# Synthetic England (SYNTHETIC DATA, seed {world.seed})

**Every number in this folder was simulated. The local authorities, their names, codes
(401-599) and GSS codes (E0x9xxxxx) are fictional**: no real LA, child or worker is described.

Generated by csceval's simulator (generator version {GENERATOR_VERSION}) with

    csceval simulate --out DIR --seed {world.seed}

The same seed always gives byte-identical files; another seed gives another England.

## What it holds

- `evaluation.toml`: a Signs of Safety evaluation of {len(design.pilots)} pilots with staggered
  adoption (2015-2018), {sum(p.role == "exited" for p in design.pilots)} of which exited
  ({exited}), and {len(design.contrasts)} contrast sites with other frameworks.
  Pilots: {pilots}.
- `data/local_authorities.csv`: {len(geo.las)} LA codes in the 9 English regions, including a
  merger and a split (`data/reorganisations.csv`).
- `data/statistical_neighbours.csv`: each LA's ten nearest LAs on deprivation, urbanity, size
  and region, with DfE closeness bands.
- `data/framework_register.csv`: which practice framework each LA has used, as episodes with
  history (extent, training, licensing, source, confidence), as a national scoping would record
  them; LAs that adopted the framework on their own are never comparators.
- `data/indicators.csv`: DfE-style LA x year key indicators, {cal.FIRST_YEAR}-{cal.LAST_YEAR}
  (years ending 31 March; workforce at 30 September), calibrated on the real DfE panel: counts,
  rates per 10,000 children (count / mid-(Y-1) population aged 0-17), percentages; `c` marks a
  suppressed small count, `x` a return not available, `z` not applicable.
- `truth.json`: the effects injected per pilot and indicator (size, form, timing, ramp and fade
  after exit), the indicators with no effect, the shocks and gaps added, and the
  reorganisations: the answers an estimator should recover; each strand adds the truth of its
  own synthetic data (case audits, family goals, the team survey, interviews, scoping).
- Each strand's own tables and files (costs, implementation plans and self-profiles, case-file
  audits, ...): `csceval validate` and docs/formats.md list them.
"""
