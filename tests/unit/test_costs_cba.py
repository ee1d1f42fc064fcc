"""NPV, BCR, break-even, switching values and the tornado against worked examples."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from csceval.strands.costs.cba import ActivityChange, BenefitLine, CBAModel

GOLDEN = json.loads(
    (Path(__file__).resolve().parents[1] / "golden" / "costs" / "worked_examples.json").read_text()
)


def _line(change: float, unit_cost: float, se: float = 0.0, cost_se: float = 0.0) -> BenefitLine:
    return BenefitLine(ActivityChange("care", change, se, "test"), "week", unit_cost, cost_se, "t")


def _known(ob: float = 0.0) -> CBAModel:
    g = GOLDEN["known_value_npv"]
    return CBAModel(
        costs=np.array(g["costs"], dtype=float),
        lines=(_line(g["annual_saving_units"], g["unit_cost"]),),
        benefit_profile=np.array(g["benefit_profile"], dtype=float),
        optimism_bias=ob,
    )


def _switching(model: CBAModel) -> dict[str, float | None]:
    return {sv.input.split(" (")[0]: sv.switching for sv in model.evaluate().switching}


def test_known_value_npv_and_bcr() -> None:
    g, result = GOLDEN["known_value_npv"], _known().evaluate()
    assert result.npv == pytest.approx(g["npv"], rel=1e-12)
    assert result.pv_benefits == pytest.approx(g["pv_benefits"], rel=1e-12)
    assert result.bcr == pytest.approx(g["bcr"], rel=1e-12)
    assert result.break_even_year == g["break_even_year"]


def test_switching_values_of_the_known_example() -> None:
    g, sv = GOLDEN["known_value_npv"], _switching(_known())
    assert sv["Implementation costs"] == pytest.approx(g["switching_pv_costs"])
    assert sv["Benefits"] == pytest.approx(g["switching_pv_benefits"])
    assert sv["Optimism bias"] == pytest.approx(g["switching_optimism_bias"], abs=1e-6)
    assert sv["Unit cost of care"] == pytest.approx(g["switching_unit_cost"], abs=1e-6)
    assert sv["Change in care"] == pytest.approx(g["switching_change"], abs=1e-6)


def test_switching_values_make_npv_zero() -> None:
    model = _known()
    sv = _switching(model)
    moved = CBAModel(
        model.costs, (_line(-1, float(sv["Unit cost of care"] or 0)),), model.benefit_profile
    )
    assert moved.evaluate().npv == pytest.approx(0, abs=1e-9)
    ob = CBAModel(model.costs, model.lines, model.benefit_profile, float(sv["Optimism bias"] or 0))
    assert ob.evaluate().bcr == pytest.approx(1.0)


def test_green_book_box_12() -> None:
    g = GOLDEN["green_book_box_12"]
    model = CBAModel(
        costs=np.array([g["pv_costs"]], dtype=float),
        lines=(_line(-1, g["pv_benefits"]),),
        benefit_profile=np.array([1.0]),
    )
    result = model.evaluate()
    assert result.bcr == pytest.approx(g["bcr"])
    assert result.npv == pytest.approx(g["npv"])
    sv = {s.input.split(" (")[0]: s for s in result.switching}
    assert sv["Benefits"].switching == pytest.approx(g["switching_pv_benefits"])
    assert sv["Benefits"].percent_change == pytest.approx(25.0)
    assert sv["Implementation costs"].switching == pytest.approx(g["switching_pv_costs"])
    assert sv["Implementation costs"].percent_change == pytest.approx(-20.0)
    assert result.break_even_year is None


def test_optimism_bias_raises_costs() -> None:
    g = GOLDEN["optimism_bias"]
    combined = 0.30 * g["non_standard_capex_upper_percent"] + 0.70 * 24
    assert combined == pytest.approx(g["combined_building_capex_ob_percent"])
    model = CBAModel(np.array([100e6]), (), np.array([0.0]), optimism_bias=0.51)
    assert model.evaluate().pv_costs == pytest.approx(g["non_standard_100m_at_upper"])
    assert _known(0.1).evaluate().pv_costs == pytest.approx(110.0)


def test_no_unit_cost_switching_value_below_zero() -> None:
    model = CBAModel(np.array([1.0, 0.0]), (_line(-10, 5), _line(-1, 1)), np.array([0.0, 1.0]))
    values = [s for s in model.evaluate().switching if s.input.startswith("Unit cost")]
    assert any(s.switching is None for s in values)


def test_tornado_orders_by_swing_and_brackets_the_central_npv() -> None:
    model = CBAModel(
        costs=np.array([100.0, 0, 0, 0, 0, 0]),
        lines=(_line(-1, 30, se=0.1, cost_se=10), _line(-0.5, 10, se=0.4)),
        benefit_profile=np.array([0.0, 1, 1, 1, 1, 1]),
        cost_se_share=0.1,
    )
    result = model.evaluate()
    swings = [b.swing for b in result.tornado]
    assert swings == sorted(swings, reverse=True)
    assert len(result.tornado) == 4
    for bar in result.tornado:
        assert min(bar.npv_low, bar.npv_high) <= result.npv <= max(bar.npv_low, bar.npv_high)
    unit = next(b for b in result.tornado if b.input == "Unit cost of care")
    # saving 1 unit a year; the unit cost moves by 1.96 x 10 over 4.515 discounted years
    assert unit.npv_high - unit.npv_low == pytest.approx(2 * 1.959964 * 10 * 4.515052, rel=1e-5)
