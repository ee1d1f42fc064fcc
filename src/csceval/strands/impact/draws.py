"""How many randomization and bootstrap draws the report's impact tests use.

A leaf module: the strand's methods run the tests with these numbers, and the design
calibration (:mod:`csceval.strands.impact.design`) runs its pseudo-pilot draws with the same,
so each calibrated size is the size of the test the report runs.
"""

from csceval.impact.adoption_sensitivity import HEADLINE_DRAWS

SYNTH_DRAWS = HEADLINE_DRAWS
"""Re-drawn pseudo-pilot sets for the pooled randomization test (p-value resolution 1/200)."""

N_BOOT = 199
"""Multiplier-bootstrap draws for Callaway-Sant'Anna (kept small so the demo stays quick)."""
