"""benchmarks/impact_calibration.py runs end to end on a small made-up panel (two draws), and
what it writes is a calibration the report can read: a broken benchmark fails here, not when
the shipped sizes are next re-measured (docs/methods.md)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from csceval.impact.calibrate import LABELS, METHODS
from csceval.strands.impact.calibration_file import parse_project_calibration
from csceval.strands.impact.results import calibrated_size
from csceval.strands.impact.strand import HEADLINE_INDICATORS

_SPEC = importlib.util.spec_from_file_location(
    "impact_calibration_benchmark",
    Path(__file__).parents[2] / "benchmarks" / "impact_calibration.py",
)
assert _SPEC is not None
assert _SPEC.loader is not None
BENCHMARK: Any = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(BENCHMARK)


def _panel(path: Path) -> Path:
    """22 LAs x 2013-2025 (ten pseudo-pilots need ten donors outside them), every headline
    indicator positive, with LA levels and noise."""
    rng = np.random.default_rng(7)
    codes = [str(800 + i) for i in range(22)]
    years = np.arange(2013, 2026)
    rows = {"old_la_code": np.repeat(codes, years.size), "year": np.tile(years, len(codes))}
    for k, indicator in enumerate(HEADLINE_INDICATORS):
        level = rng.uniform(20, 400, len(codes)) * (k + 1)
        noise = rng.normal(1, 0.05, (len(codes), years.size))
        rows[indicator] = (level[:, None] * noise).ravel()
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_the_benchmark_writes_a_calibration_the_report_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    panel, output = _panel(tmp_path / "panel.csv"), tmp_path / "la_panel.json"
    args = ["--draws", "2", "--sdid-draws", "1", "--jobs", "1", "--panel", str(panel)]
    BENCHMARK.main([*args, "--write", "--output", str(output)])
    table = [x for x in capsys.readouterr().out.splitlines() if x.startswith("| ")]
    assert len(table) == 1 + len(METHODS)  # the header and a row per method
    payload = json.loads(output.read_text(encoding="utf-8"))
    parse_project_calibration(output.read_bytes())  # the format the report checks
    assert list(payload["methods"]) == list(METHODS)  # in METHODS order
    assert payload["seed"] == BENCHMARK.SEED
    for method, entry in payload["methods"].items():
        assert entry["label"] == LABELS[method]
        assert entry["draws"] == (1 if method == "sdid" else 2)
        assert set(entry["size"]) == set(entry["mc_error"]) == set(HEADLINE_INDICATORS)
        for indicator in HEADLINE_INDICATORS:
            size = calibrated_size(payload, method, indicator)
            assert size is not None
            assert 0 <= size <= 1


def test_the_benchmark_measures_chosen_methods_an_opt_in_one_included(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    panel = _panel(tmp_path / "panel.csv")
    args = ["--draws", "2", "--jobs", "1", "--panel", str(panel)]
    BENCHMARK.main([*args, "--methods", "did,random_trend"])
    out = capsys.readouterr().out
    table = [x for x in out.splitlines() if x.startswith("| ")]
    assert len(table) == 3  # the header, did and the random-trend model, in that order
    assert table[1].startswith(f"| {LABELS['did']} (2 draws)")
    assert table[2].startswith(f"| {LABELS['random_trend']} (2 draws)")
    assert "cla_rate_per_10k random_trend:" in out  # its spread over the draws
    with pytest.raises(SystemExit):
        BENCHMARK.main([*args, "--methods", "did,oracle"])
