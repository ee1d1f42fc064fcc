"""Synthetic England: a deterministic world of fictional LAs, pilots and their key indicators.

:func:`simulate_world` returns the world in memory: ten fictional Signs of Safety pilots among
~150 fictional English LAs, calibrated on the real DfE LA panel (see
:mod:`csceval.simulate.calibration`), including the counterfactual panel (the same LAs without
the framework) that recovery tests compare estimators with. :mod:`csceval.simulate.writer`
writes its core files; each strand adds its own (``Strand.simulate``), and
:func:`csceval.pipeline.simulate_project` writes the whole project folder.
"""

from __future__ import annotations

from csceval.simulate.world import Progress, World, simulate_world

__all__ = ["Progress", "World", "simulate_world"]
