"""What the child-level verdicts do on the project's own design: the figures ``child_impact.json``
keeps (computed by :mod:`.design_verdicts`, read by the section)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

__all__ = ["DesignOperating", "OutcomeOperating", "operating_from_json"]


@dataclass(frozen=True)
class OutcomeOperating:
    """One outcome on its design's draws: the observed estimate's design p-values and each
    word's rate with no effect and with an effect of the MDE (shares of worlds)."""

    outcome: str
    p_design: float
    p_family_design: float
    size_cr2: float
    """The CR2 test's rejection rate at 5% with no effect (its real size on this design)."""
    null_low: float
    """"low" or stronger with no effect."""
    null_moderate: float
    mde: float
    """The effect added (percentage points): the estimate's minimum detectable effect."""
    power_cr2: float
    mde_low: float
    mde_moderate: float
    shock_sd: float
    """The LA-by-year shocks' standard deviation (percentage points) and correlation."""
    shock_rho: float


@dataclass(frozen=True)
class DesignOperating:
    """The child-level verdicts' calibration on the project's own matched sample."""

    draws: int
    seed: int
    outcomes: tuple[OutcomeOperating, ...]
    moderate_any: float
    """Share of null worlds in which any outcome is rated "moderate" (family-wise)."""

    def get(self, outcome: str) -> OutcomeOperating | None:
        return next((o for o in self.outcomes if o.outcome == outcome), None)

    def mc_error(self, rate: float) -> float:
        return math.sqrt(rate * (1 - rate) / self.draws) if self.draws else math.nan

    def to_json(self) -> dict[str, Any]:
        return {
            "draws": self.draws,
            "seed": self.seed,
            "outcomes": [asdict(o) for o in self.outcomes],
            "moderate_any": self.moderate_any,
        }


def operating_from_json(data: Any) -> DesignOperating | None:
    """:meth:`DesignOperating.to_json`'s values back (``None`` stays ``None``)."""
    if data is None:
        return None
    numbers = [f.name for f in fields(OutcomeOperating) if f.name != "outcome"]
    outcomes = tuple(
        OutcomeOperating(
            str(o["outcome"]),
            *(math.nan if o[k] is None else float(o[k]) for k in numbers),
        )
        for o in data["outcomes"]
    )
    any_outcome = data["moderate_any"]
    return DesignOperating(
        int(data["draws"]),
        int(data["seed"]),
        outcomes,
        math.nan if any_outcome is None else float(any_outcome),
    )
