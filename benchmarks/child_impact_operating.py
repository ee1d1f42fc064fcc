"""How often the child-level verdict words occur with no effect (``operating.json``).

Reads the rows ``benchmarks/child_impact_null_cache.py test`` wrote for null worlds (one row per
world and outcome, with ``p_cr2`` and ``p_webb_wcr``), applies the strand's rule
(:func:`csceval.strands.child_impact.verdicts.strength`: Holm over the outcomes of each world
in the family) and writes the shares the report quotes to
``src/csceval/strands/child_impact/operating.json`` (``--out`` to write elsewhere). Outcomes
outside the family (time to permanence, simulated on longer returns) count per outcome only.

    .venv/bin/python benchmarks/child_impact_operating.py ROWS.jsonl [ROWS.jsonl ...]
        --family rereferral_12m cpp_12m repeat_cpp_12m cla_12m --source "..." --design "..."
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from csceval.strands.child_impact.operating_study import operating_figures

OUT = Path(__file__).resolve().parents[1] / "src/csceval/strands/child_impact/operating.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rows", type=Path, nargs="+")
    parser.add_argument("--family", nargs="+", required=True)
    parser.add_argument("--source", required=True, help="How the rows were made (for the file).")
    parser.add_argument(
        "--design",
        required=True,
        help="The simulated worlds' design in words, as the report quotes it (e.g. '10 pilot "
        "and 10 comparator LAs, five cohorts').",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    rows = pd.concat(
        [pd.DataFrame(map(json.loads, p.read_text().splitlines())) for p in args.rows],
        ignore_index=True,
    )
    figures = {
        **operating_figures(rows, args.family),
        "source": args.source,
        "design": args.design,
    }
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
