"""The reference evaluation (examples/sos-phase2) on the real DfE data in ../shared/data.

Builds the panel with ``csceval data build-panel`` into a temporary folder, adds the example's
evaluation.toml, validates and runs it, and reads the report back: every pilot has its
benchmarking table for referrals, re-referrals, CIN, CPP, CLA and the workforce, and a few
published values equal DfE's own published figures, read straight from the EES files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.indicators.catalogue import BY_ID

pytestmark = [pytest.mark.shared, pytest.mark.slow]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sos-phase2"
PILOTS = {  # the names the report gives them (DfE's)
    "303": "Bexley",
    "304": "Brent",
    "801": "Bristol, City of",
    "855": "Leicestershire",
    "925": "Lincolnshire",
    "926": "Norfolk",
    "935": "Suffolk",
    "384": "Wakefield",
    "938": "West Sussex",
    "872": "Wokingham",
}
OUTCOMES = (
    "referral_rate_per_10k",
    "rereferral_within_12m_pct",
    "cin_rate_per_10k",
    "cpp_rate_per_10k",
    "cla_rate_per_10k",
    "sw_turnover_pct",
)


@pytest.fixture(scope="module")
def run(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example built and run once: returns the output folder."""
    root = tmp_path_factory.mktemp("sos")
    project, out = root / "project", root / "out"
    runner = CliRunner()
    built = runner.invoke(
        main, ["data", "build-panel", str(shared_data), "--out", str(project), "--quiet"]
    )
    assert built.exit_code == 0, built.output
    shutil.copy(EXAMPLE / "evaluation.toml", project / "evaluation.toml")
    valid = runner.invoke(main, ["validate", str(project)])
    assert valid.exit_code == 0, valid.output
    ran = runner.invoke(main, ["run", str(project), "--out", str(out), "--quiet"])
    assert ran.exit_code == 0, ran.output
    return out


def test_every_pilot_has_every_outcome(run: Path) -> None:
    for code, name in PILOTS.items():
        html = (run / "report" / f"benchmarks-{code}.html").read_text(encoding="utf-8")
        for indicator in OUTCOMES:
            assert f"{BY_ID[indicator].title}: {name} and its benchmarks" in html
            table = pd.read_csv(run / "tables" / f"bench-{code}-{indicator}.csv")
            assert table["la"].notna().any(), (name, indicator)
    trend = pd.read_csv(run / "tables" / "trend-cla_rate_per_10k.csv")
    assert set(trend["n_pilots"]) == {len(PILOTS)}


def _bench(run: Path, code: str, indicator: str, year: int) -> float:
    table = pd.read_csv(run / "tables" / f"bench-{code}-{indicator}.csv")
    return float(table.loc[table["year"] == year, "la"].item())


def _ees(shared_data: Path, glob: str, code: str, year: int, column: str, **where: str) -> float:
    """A published LA value from the newest EES file matching ``glob`` that has it."""
    for path in sorted((shared_data / "dfe_csc_ees_la").glob(glob), reverse=True):
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        if not set(where) <= set(frame.columns):
            continue
        rows = frame[
            (frame["geographic_level"] == "Local authority")
            & (frame["old_la_code"] == code)
            & (frame["time_period"] == str(year))
        ]
        for key, value in where.items():
            rows = rows[rows[key] == value]
        if len(rows):
            return float(rows[column].item())
    raise LookupError((glob, code, year))


@pytest.mark.parametrize(
    ("code", "indicator", "year", "glob", "column", "where"),
    [
        (
            "938",
            "cla_rate_per_10k",
            2019,
            "cla_number_and_rate_per_10k_children_*.csv",
            "rate_per_10000",
            # this vintage heads the population-type column "population_count"
            {"population_count": "Children looked after at 31 March each year"},
        ),
        (
            "801",
            "cla_rate_per_10k",
            2021,
            "cla_number_and_rate_per_10k_children_*.csv",
            "rate_per_10000",
            {"population_type": "Children looked after on 31 March each year"},
        ),
        ("384", "sw_turnover_pct", 2019, "csww_indicators_*.csv", "turnover_rate_fte", {}),
        (
            "926",
            "rereferral_within_12m_pct",
            2018,
            "c1_children_in_need_referrals_and_rereferrals_*.csv",
            "rereferral_percent",
            {},
        ),
    ],
)
def test_published_values_equal_dfe(
    run: Path,
    shared_data: Path,
    code: str,
    indicator: str,
    year: int,
    glob: str,
    column: str,
    where: dict[str, str],
) -> None:
    assert _bench(run, code, indicator, year) == pytest.approx(
        _ees(shared_data, glob, code, year, column, **where), abs=0.05
    )
