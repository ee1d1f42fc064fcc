"""Statistical neighbours and neighbour groups of the fictional LAs.

Modelling choices
-----------------
- Like DfE's children's services model, similarity is a weighted Euclidean distance on
  standardised LA characteristics: deprivation (weight 1), urbanity (1), log population aged
  0-17 (0.6), London (0.8) and the North (0.4).
- Each LA's ten nearest neighbours are taken among LAs that exist in the LA's reference year:
  2025 for LAs that still exist (the current geography, as in DfE's latest model), the last year
  for LAs abolished by a reorganisation.
- Closeness bands are cut at quantiles of all neighbour distances so that their shares match the
  DfE 2025 model (about 55% very close, 34% close, 9% somewhat close, 3% not close).
- ``neighbour_group`` is a k-means cluster (12 groups) on the same characteristics, labelled by
  its urbanity and deprivation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from csceval.simulate import calibration as cal
from csceval.simulate.geography import FloatArray, Geography, LocalAuthority
from csceval.simulate.rng import stream

WEIGHTS = np.array([1.0, 1.0, 0.6, 0.8, 0.4])


@dataclass(frozen=True, slots=True)
class Neighbour:
    la_code: str
    rank: int
    neighbour_code: str
    closeness: str


def features(geo: Geography) -> FloatArray:
    """Standardised, weighted characteristics, shape (LAs, 5)."""
    raw = np.column_stack(
        [
            geo.deprivation,
            geo.urbanity,
            np.log(geo.population_2018()),
            [la.region.code == "E12000007" for la in geo.las],
            [la.region.code in cal.NORTHERN_REGIONS for la in geo.las],
        ]
    ).astype(float)
    scaled = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    return np.asarray(scaled * WEIGHTS, dtype=float)


def statistical_neighbours(geo: Geography) -> list[Neighbour]:
    """Every LA's ten nearest neighbours, closest first, with DfE-style closeness bands."""
    x = features(geo)
    distance = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2))
    alive_at = np.array([[la.exists(_reference_year(other)) for la in geo.las]
                         for other in geo.las])  # fmt: skip
    np.fill_diagonal(alive_at, False)
    masked = np.where(alive_at, distance, np.inf)
    order = np.argsort(masked, axis=1, kind="stable")[:, : cal.N_NEIGHBOURS]
    chosen = np.take_along_axis(masked, order, axis=1)
    cuts = np.quantile(chosen, cal.CLOSENESS_QUANTILES)
    bands = np.searchsorted(cuts, chosen, side="right")
    return [
        Neighbour(la.la_code, rank + 1, geo.las[int(order[i, rank])].la_code,
                  cal.CLOSENESS[int(bands[i, rank])])
        for i, la in enumerate(geo.las)
        for rank in range(cal.N_NEIGHBOURS)
    ]  # fmt: skip


def _reference_year(la: LocalAuthority) -> int:
    return la.last_year if la.last_year is not None else cal.LAST_YEAR


def neighbour_groups(geo: Geography, seed: int) -> list[str]:
    """A cluster label per LA, e.g. ``"SN04-urban-high-deprivation"``."""
    x = features(geo)
    k = cal.N_NEIGHBOUR_GROUPS
    rng = stream(seed, "neighbour_groups")
    centres = x[rng.choice(len(x), size=k, replace=False)]
    labels = np.zeros(len(x), dtype=int)
    for _ in range(50):
        labels = np.argmin(((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        updated = np.array(
            [x[labels == j].mean(axis=0) if (labels == j).any() else centres[j] for j in range(k)]
        )
        if np.allclose(updated, centres):
            break
        centres = updated
    return _label(geo, labels, k)


def _label(geo: Geography, labels: npt.NDArray[np.int_], k: int) -> list[str]:
    """Number groups by mean deprivation (SN01 least deprived) and describe them."""
    used = [j for j in range(k) if (labels == j).any()]
    dep = {j: float(geo.deprivation[labels == j].mean()) for j in used}
    urb = {j: float(geo.urbanity[labels == j].mean()) for j in used}
    names: dict[int, str] = {}
    for number, j in enumerate(sorted(used, key=lambda g: dep[g]), start=1):
        place = "urban" if urb[j] >= 0.7 else "mixed" if urb[j] >= 0.4 else "rural"
        level = "high" if dep[j] > 0.5 else "low" if dep[j] < -0.5 else "average"
        names[j] = f"SN{number:02d}-{place}-{level}-deprivation"
    return [names[int(j)] for j in labels]
