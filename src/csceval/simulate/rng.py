"""Named random streams: one independent generator per component of the simulation.

Each stream is keyed by a stable hash of its name (not by the order streams are created), so
adding a new component later, or drawing more numbers in one component, leaves every other
component's draws, and so the rest of the synthetic panel, unchanged for the same seed.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, *names: str) -> np.random.Generator:
    """The generator for component ``names`` (e.g. ``stream(seed, "noise", "cla")``)."""
    key = tuple(zlib.crc32(name.encode("utf-8")) for name in names)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
