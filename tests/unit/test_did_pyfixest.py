"""Event-study cross-check: Callaway-Sant'Anna against pyfixest's saturated event study.

``tests/golden/did/pyfixest_saturated_mpdta.csv`` holds pyfixest 0.60.0's cohort x event-time
coefficients on mpdta (never-treated controls, reference period -1; the generating script is
beside it). With never-treated controls, no covariates and the universal base period, the
saturated regression's coefficient for (cohort g, event time e) is exactly Callaway and
Sant'Anna's ATT(g, g + e), and Sun and Abraham's interaction-weighted average over cohorts
(weights: cohort sizes) is the CS dynamic aggregation. Tolerance 1e-8 (the CSV holds 15
significant digits; the two are computed by different linear algebra).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.impact.did import aggte, att_gt

GOLDEN = Path(__file__).parents[1] / "golden" / "did" / "pyfixest_saturated_mpdta.csv"
TOL = 1e-8


@pytest.fixture(scope="module")
def cs(shared_data: Path) -> tuple[pd.DataFrame, object]:
    mpdta = pd.read_csv(shared_data / "reference" / "mpdta.csv")
    result = att_gt(
        mpdta, "lemp", unit="countyreal", time="year", group="first.treat",
        control_group="nevertreated", est_method="reg", base_period="universal",
    )  # fmt: skip
    table = pd.DataFrame(
        {
            "cohort": result.group.astype(int),
            "event_time": (result.time - result.group).astype(int),
            "att": result.att,
        }
    )
    return table, result


def test_group_time_effects_equal_the_saturated_coefficients(
    cs: tuple[pd.DataFrame, object],
) -> None:
    table, _ = cs
    golden = pd.read_csv(GOLDEN)
    merged = golden.merge(table, on=["cohort", "event_time"], how="left", validate="1:1")
    assert merged["att"].notna().all()
    np.testing.assert_allclose(merged["att"], merged["estimate"], atol=TOL)
    # every other ATT(g,t) is the reference period (-1), zero by construction
    rest = table.merge(golden, on=["cohort", "event_time"], how="left", indicator=True)
    rest = rest[rest["_merge"] == "left_only"]
    assert set(rest["event_time"]) == {-1}
    np.testing.assert_allclose(rest["att"], 0.0, atol=1e-12)


def test_dynamic_aggregation_is_the_interaction_weighted_estimator(
    cs: tuple[pd.DataFrame, object],
) -> None:
    _, result = cs
    golden = pd.read_csv(GOLDEN)
    post = golden[golden["event_time"] >= 0]
    iw = post.groupby("event_time").apply(
        lambda g: np.average(g["estimate"], weights=g["cohort_size"]), include_groups=False
    )
    dynamic = aggte(result, "dynamic")  # type: ignore[arg-type]
    by_e = dict(zip(np.asarray(dynamic.labels).astype(int), dynamic.att, strict=True))
    for e, value in iw.items():
        assert by_e[int(e)] == pytest.approx(value, abs=TOL)
