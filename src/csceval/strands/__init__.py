"""The strands of an evaluation, one package each, all of one shape (:class:`Strand`).

Strand packages never import each other (an import-linter contract); a strand that needs
another's result declares it in ``Strand.consumes`` and receives it from the pipeline. Every
strand's result is a :class:`Result`: ``to_frame()`` and ``summary()``.
"""

from csceval.strands.strand import Result, SimulatorPart, Strand, StrandInputs, WebApp

__all__ = ["Result", "SimulatorPart", "Strand", "StrandInputs", "WebApp"]
