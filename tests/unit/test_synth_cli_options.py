"""``csceval impact synth`` options of issue 23: special predictors, custom V, loss window,
starts, predictors up to the treatment year and the ADH 2015 cross-validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_synth_published import reference_data

from csceval.cli import main

GOLDEN = Path(__file__).parents[1] / "golden" / "synth"
BASQUE = json.loads((GOLDEN / "basque_abadie_gardeazabal2003.json").read_text(encoding="utf-8"))
GERMANY = json.loads((GOLDEN / "germany_adh2015.json").read_text(encoding="utf-8"))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["impact", "synth", *args])
    return result.exit_code, result.output


def _predictor_args(rows: list[list[Any]], option: str = "--predictor") -> list[str]:
    out = []
    for row in rows:
        years = ",".join(map(str, row[1])) if isinstance(row[1], list) else f"{row[1]}-{row[2]}"
        out += [option, f"{row[0]}:{years}"]
    return out


def _panel_args(golden: dict[str, Any], data: Path) -> list[str]:
    s = golden["specification"]
    return [
        "--data",
        str(data),
        "--unit",
        s["unit"],
        "--time",
        s["time"],
        "--outcome",
        s["outcome"],
        "--treated",
        s["treated"],
        "--start",
        str(s["treatment_time"]),
    ]


def test_custom_v_json_has_the_tables_a_paper_reports() -> None:
    s, pub = BASQUE["specification"], BASQUE["published"]
    code, output = run(
        *_panel_args(BASQUE, reference_data("basque.csv")),
        *_predictor_args(s["predictors"]),
        "--custom-v",
        ",".join(map(str, pub["v"])),
        "--optimize-window",
        "1960-1969",
        "--json",
    )
    assert code == 0, output
    payload = json.loads(output)
    fit = payload["fit"]
    assert fit["v_method"] == "custom"
    assert fit["weights"]["Cataluna"] == pytest.approx(0.8508, abs=5e-4)
    assert fit["loss_v"] == pytest.approx(pub["r_synth_loss_v"], rel=1e-6)
    first = fit["balance_table"][0]
    assert set(first) == {"predictor", "v", "treated", "synthetic", "sample_mean"}
    assert first["sample_mean"] == pytest.approx(323.825543, rel=1e-6)
    assert len(payload["placebos"]) == s["n_donors"]
    assert all("ratio" in p for p in payload["placebos"].values())


def test_cross_validate_from_the_command_line() -> None:
    s = GERMANY["specification"]
    args = [
        *_panel_args(GERMANY, reference_data("germany.csv")),
        *_predictor_args(s["predictors"]),
        "--optimize-window",
        "1960-1989",
        "--no-placebos",
        "--two-starts",
        "--cross-validate",
        "1981-1990",
        *_predictor_args(s["training_predictors"], "--training-predictor"),
    ]
    code, output = run(*args)
    assert code == 2
    assert "CSC-E7103" in output
    assert "allow-post-predictors" in output  # 1990 is the treatment year
    code, output = run(*args, "--allow-post-predictors")
    assert code == 0, output
    assert "Austria 0.41" in output
    assert "V cross-validated" in output
    assert "treatment period" in output  # the warning, as a note


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (("--predictor", "gdpcap:1969-1960"), "CSC-E7104"),
        (("--predictor", "gdpcap:1961,19x3"), "CSC-E7104"),
        (("--optimize-window", "1969"), "CSC-E7108"),
        (("--predictor", "gdpcap:1960-1969", "--custom-v", "1,2"), "CSC-E7108"),
        (("--training-predictor", "gdpcap:1950-1959"), "CSC-E7108"),
    ],
)
def test_option_mistakes_are_coded(extra: tuple[str, ...], code: str, tmp_path: Path) -> None:
    """Refused before the data are read (so any file will do)."""
    data = tmp_path / "panel.csv"
    data.write_text("regionname,year,gdpcap\nA,1960,1.0\n", encoding="utf-8")
    status, output = run(*_panel_args(BASQUE, data), *extra, "--no-placebos")
    assert status == 2, output
    assert code in output
    assert "Traceback" not in output
