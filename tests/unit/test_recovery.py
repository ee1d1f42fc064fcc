"""Recovery study: the truth each method is compared with, the rates, the command."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.strands.impact.recovery import (
    COLUMNS,
    injected,
    recover_seed,
    run_recovery,
    summarise,
    truth_of,
    verdict_rates,
)
from csceval.strands.impact.strand import HEADLINE_INDICATORS


def test_truth_weights_pilots_or_pilot_years_as_the_method_does() -> None:
    years = list(range(2013, 2018))
    effects = pd.DataFrame(
        [[0, 0, -1, -1, -1], [0, 0, 0, 0, -4], [9, 9, 9, 9, 9]],
        index=["A", "B", "C"],
        columns=years,
        dtype=float,
    )
    adoption = {"A": 2015, "B": 2017}
    span = (2013, 2017)
    assert truth_of("synth_pooled", effects, adoption, span) == pytest.approx(-2.5)
    assert truth_of("its", effects, adoption, span) == pytest.approx(-2.5)
    assert truth_of("did", effects, adoption, span) == pytest.approx(-7 / 4)
    assert truth_of("sdid", effects, adoption, span) == pytest.approx(-7 / 4)
    # years after the indicator's span are not the estimand's
    assert truth_of("did", effects, {"A": 2015}, (2013, 2016)) == pytest.approx(-1.0)
    assert math.isnan(truth_of("did", effects, {}, span))
    # on the log scale the same average, as a per cent change
    logged = truth_of("did", effects / 100, adoption, span, "log")
    assert logged == pytest.approx(100 * math.expm1(-7 / 400))


def test_summarise_counts_bias_coverage_and_rejections() -> None:
    rows = pd.DataFrame(
        [
            (1, "sw_caseload", "did", "", 1.0, -1.0, 3.0, 0.50, 0.0, "low"),
            (2, "sw_caseload", "did", "", 3.0, 1.0, 5.0, 0.01, 0.0, "high"),
            (3, "sw_caseload", "did", "", -1.0, -2.0, 0.5, 0.30, 0.0, "low"),
            (4, "sw_caseload", "did", "", 1.0, np.nan, np.nan, np.nan, 0.0, "low"),
        ],
        columns=list(COLUMNS),
    )
    (row,) = summarise(rows).to_dict(orient="records")
    (shares,) = verdict_rates(rows).to_dict(orient="records")
    assert (shares["seeds"], shares["low"], shares["high"]) == (4, 0.75, 0.25)
    assert row["effect"] == "null"
    assert row["bias"] == pytest.approx(1.0)
    assert row["rmse"] == pytest.approx(math.sqrt(12 / 4))
    assert (row["intervals"], row["coverage"]) == (3, pytest.approx(2 / 3))
    assert (row["tests"], row["rejection"]) == (3, pytest.approx(1 / 3))
    assert row["rejection_mc_error"] == pytest.approx(math.sqrt(1 / 3 * 2 / 3 / 3))
    # a rate is analysed on the log scale: its errors are in log points
    rates = rows.assign(indicator="cin_rate_per_10k")
    (row,) = summarise(rates).to_dict(orient="records")
    expected = 100 * np.log1p(rates["estimate"] / 100).mean()
    assert row["bias"] == pytest.approx(expected)
    assert row["bias"] != pytest.approx(1.0)


@pytest.fixture(scope="module")
def seed_rows() -> pd.DataFrame:
    return pd.DataFrame([r.__dict__ for r in recover_seed(2018)], columns=list(COLUMNS))


def test_one_seed_pairs_every_estimate_with_its_truth(seed_rows: pd.DataFrame) -> None:
    assert set(seed_rows["indicator"]) == set(HEADLINE_INDICATORS)
    for indicator, rows in seed_rows.groupby("indicator"):
        if injected(str(indicator)):
            assert (rows["truth"] < 0).all(), indicator  # every injected effect is a reduction
        else:
            assert (rows["truth"] == 0).all(), indicator
        assert set(rows["method"]) >= {"synth_pooled", "synth_rmspe", "did", "sdid"}
    per_pilot = seed_rows[seed_rows["method"] == "synth_rmspe"]
    assert (per_pilot["unit"] != "").all()
    assert (seed_rows.loc[seed_rows["method"] != "synth_rmspe", "unit"] == "").all()
    # the pooled truth is the mean of the per-pilot truths (pilots weighted equally), on the
    # log scale for a rate (per cent changes) and on the level scale for a percentage
    cpp = seed_rows[seed_rows["indicator"] == "cpp_rate_per_10k"]
    pooled = cpp.loc[cpp["method"] == "synth_pooled", "truth"].item()
    per_pilot = np.log1p(cpp.loc[cpp["method"] == "synth_rmspe", "truth"] / 100)
    assert pooled == pytest.approx(100 * np.expm1(per_pilot.mean()))
    rr = seed_rows[seed_rows["indicator"] == "rereferral_within_12m_pct"]
    pooled = rr.loc[rr["method"] == "synth_pooled", "truth"].item()
    assert pooled == pytest.approx(rr.loc[rr["method"] == "synth_rmspe", "truth"].mean())
    # every headline interval is defined (SDID's jackknife included, single-pilot cohorts too)
    for method in ("synth_pooled", "did", "sdid"):
        chosen = seed_rows[seed_rows["method"] == method]
        assert np.isfinite(chosen[["low", "high", "p_value"]].to_numpy()).all(), method


def test_recovery_command_prints_the_summary_and_writes_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSON run estimates seeds 7 and 8 for real; the text run (seed 7 alone) is given the
    rows the JSON run estimated for seed 7 (each seed's rows depend on that seed alone), so the
    text output is checked on real estimates without simulating seed 7 again."""
    estimated: list[pd.DataFrame] = []

    def recorded(seeds: Sequence[int], **options: Any) -> pd.DataFrame:
        estimated.append(run_recovery(seeds, **options))
        return estimated[-1]

    monkeypatch.setattr("csceval.cli.impact_calibration.run_recovery", recorded)
    rows = tmp_path / "rows.csv"
    result = CliRunner().invoke(
        main,
        ["impact", "recovery", "--seeds", "1", "--seed", "7", "--blocks", "2", "--block-spacing",
         "1", "--jobs", "2", "--out", str(rows), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["seeds"] == [[7, 7], [8, 8]]
    assert set(pd.DataFrame(data["blocks"])["block"]) == {1, 2}
    summary = pd.DataFrame(data["summary"])
    assert set(summary["indicator"]) == set(HEADLINE_INDICATORS)
    assert (summary["seeds"] == 2).all()
    verdicts = pd.DataFrame(data["verdicts"])
    assert set(verdicts["indicator"]) == set(HEADLINE_INDICATORS)
    shares = verdicts[["none", "low", "moderate", "high"]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    written = pd.read_csv(rows)
    assert list(written.columns) == list(COLUMNS)
    assert set(written["seed"]) == {7, 8}
    (both,) = estimated

    def seed_7_again(seeds: Sequence[int], **options: Any) -> pd.DataFrame:
        assert list(seeds) == [7]
        return both[both["seed"] == 7].reset_index(drop=True)

    monkeypatch.setattr("csceval.cli.impact_calibration.run_recovery", seed_7_again)
    text = CliRunner().invoke(
        main,
        ["impact", "recovery", "--seeds", "1", "--seed", "7", "--blocks", "1"],
    )  # fmt: skip
    assert text.exit_code == 0, text.output
    assert "1 seed (7-7)" in text.output
    assert "cpp_rate_per_10k (injected" in text.output
    assert "referral_rate_per_10k (null, mean truth 0.000)" in text.output
    assert "strength of evidence in the report" in text.output
    assert "block 1 (7-7) cla_rate_per_10k synth_pooled: bias" in text.output
    assert "consistency of the blocks' biases" in text.output


def test_recovery_command_refuses_nonsense_options(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bad options, and an --out that cannot be written, are refused before any simulation."""
    result = CliRunner().invoke(main, ["impact", "recovery", "--seeds", "0"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated before checking --out")

    monkeypatch.setattr("csceval.cli.impact_calibration.run_recovery", refuse)
    folder = tmp_path / "a-folder"
    folder.mkdir()  # --out names a folder: the rows cannot be written there
    (tmp_path / "a-file").write_text("not a folder")
    for out, why in ((folder, "Is a directory"), (tmp_path / "a-file" / "rows.csv", "Not a dir")):
        args = ["impact", "recovery", "--seeds", "1", "--seed", "3", "--blocks", "1", "--out",
                str(out)]  # fmt: skip
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert "CSC-E5002" in result.output
        assert why in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
