"""The shape every strand has: one :class:`Strand` value declaring all the system needs of it.

The contract, pipeline, simulator, docs generator and web wiring iterate over the registered
strands (:func:`csceval.registry.registered_strands`); none of them names a strand. A strand
package exports one ``STRAND``; a third-party package adds one through a ``csceval.strands``
entry point (``name = "package.module:STRAND"``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import pandas as pd

from csceval.disclosure import DisclosurePolicy
from csceval.output_scopes import Scope
from csceval.project import EvaluationSettings, Project, ProjectFile, Site, TableChecks
from csceval.project.schema import TableSchema
from csceval.report.model import Section
from csceval.strands.evidence_finding import EvidenceFinding

if TYPE_CHECKING:
    import click

    from csceval.simulate.world import World


@runtime_checkable
class Result(Protocol):
    """What every strand's result offers a notebook user (``analyse`` returns one).

    ``to_frame()`` is the result as one tidy, long DataFrame (its columns are documented on
    the result's method); ``summary()`` says what the strand found in a few plain-English lines,
    the headline first. Both show the analysis's own numbers, before disclosure control: only the
    report (``Evaluation.report``) is fit to publish.
    """

    def to_frame(self) -> pd.DataFrame:
        """The result as one tidy DataFrame."""
        ...

    def summary(self) -> str:
        """A few plain-English lines with the key numbers, the headline first."""
        ...


@dataclass(frozen=True)
class StrandInputs:
    """What ``analyse`` receives: the checked project's contents and the results it consumes.

    There is no path here: every file was read and checked when the project loaded, so
    ``analyse`` is pure (same inputs, same result; no I/O).
    """

    settings: EvaluationSettings
    tables: Mapping[str, pd.DataFrame]
    files: Mapping[str, Any] = field(default_factory=dict)
    results: Mapping[str, Any] = field(default_factory=dict)
    """Results of the strands this one consumes, by strand id (absent when they did not run)."""
    evidence: tuple[EvidenceFinding, ...] = ()
    """For a strand that sets ``consumes_evidence``: the findings of every strand that ran
    before it (:class:`~csceval.strands.evidence_finding.EvidenceFinding`)."""
    derived: Mapping[str, Any] = field(default_factory=dict)
    """The strand's derived inputs (``Strand.derive``), computed by the pipeline beforehand."""

    @classmethod
    def of(
        cls,
        project: Project,
        results: Mapping[str, Any] | None = None,
        evidence: tuple[EvidenceFinding, ...] = (),
    ) -> StrandInputs:
        return cls(project.settings, project.tables, project.files, dict(results or {}), evidence)

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def file(self, name: str) -> Any:
        """A declared file's parsed value (None when the project has no such file)."""
        return self.files[name]

    @property
    def pilots(self) -> list[Site]:
        """Sites that adopted the framework (including pilots that later exited)."""
        return self.settings.sites_with_role("pilot", "exited")


@dataclass(frozen=True)
class SimulatorPart:
    """A strand's part of synthetic England: its files in the real formats and its truth.

    ``files(world)`` returns text by path relative to the project folder; it draws from the
    strand's own random sub-stream, so adding a strand never changes another's data.
    ``truth(world)`` is stored under ``truth_key`` in ``truth.json``.
    """

    files: Callable[[World], dict[str, str]]
    truth: Callable[[World], Any] | None = None
    truth_key: str = ""


@dataclass(frozen=True)
class WebApp:
    """A strand's Django app: installed and mounted at ``url_prefix`` by the web platform.

    ``app`` is the app's dotted module (it needs no import here, so strands stay free of
    Django). Its ``urls`` module has ``urlpatterns``; its ``access`` module has ``ACCESS``: for
    each URL name the verb it needs and how its object is scoped, which the access-matrix test
    and docs/permissions.md read.
    """

    app: str
    url_prefix: str

    @property
    def urls(self) -> str:
        return f"{self.app}.urls"

    @property
    def access(self) -> str:
        return f"{self.app}.access"


@dataclass(frozen=True)
class Strand:
    """A strand of the evaluation and everything the system needs of it.

    ``available(inputs)`` says whether the project holds what the strand needs;
    ``analyse(inputs) -> result`` is pure; ``render(result, policy) -> Section`` publishes it
    through disclosure control. ``consumes`` names strands whose results ``analyse`` receives
    in ``inputs.results`` (the pipeline runs those first; a strand never imports another).
    ``evidence(result, section, policy)`` says what the result found on the theory-of-change
    evidence references it can speak to; a strand with ``consumes_evidence`` receives every earlier
    strand's findings in ``inputs.evidence`` and runs after every strand that declares them.
    """

    id: str
    title: str
    available: Callable[[StrandInputs], bool]
    analyse: Callable[[StrandInputs], Any]
    render: Callable[[Any, DisclosurePolicy], Section]
    tables: tuple[TableSchema, ...] = ()
    files: tuple[ProjectFile, ...] = ()
    checks: TableChecks | None = None
    estimators: tuple[str, ...] = ()
    """Names the analysis plan may give in ``analysis.estimators`` for this strand."""
    error_codes: Mapping[str, str] = field(default_factory=dict)
    error_range: tuple[int, int] | None = None
    """The block of ``CSC-E`` numbers (inclusive) the strand's codes must lie in."""
    consumes: tuple[str, ...] = ()
    extra_files: Callable[[Any], dict[str, bytes]] | None = None
    """Files the strand adds to the output folder beside the report (e.g. an audit workbook)."""
    output_scopes: Mapping[str, Scope] = field(default_factory=dict)
    """Who may read the strand's output files: glob patterns (relative to the output folder,
    ``{la}`` for an LA code) to scopes (:mod:`csceval.output_scopes`). Every extra file needs
    one (a file no rule covers is never served); tables that compare sites narrow the default
    (report tables are published)."""
    simulate: SimulatorPart | None = None
    cli: click.Command | None = None
    """A command group mounted on ``csceval`` (built-in strands' commands live in csceval.cli)."""
    web: WebApp | None = None
    evidence: Callable[[Any, Section, DisclosurePolicy], tuple[EvidenceFinding, ...]] | None = None
    """What the result says about evidence references, given the section ``render`` made of it
    (findings quote it rather than render it again) and the same disclosure policy for any other
    figure (see :mod:`csceval.strands.evidence_finding`)."""
    consumes_evidence: bool = False
    """Receive the findings of every strand that ran before (the theory-of-change evidence map)."""
    derive: Callable[[Project], Mapping[str, Any]] | None = None
    """Derived inputs: values computed from the loaded project that ``analyse`` needs but may
    not compute itself (slow, cached on disk); the pipeline calls it when the strand is available
    and passes the result as ``inputs.derived`` (the impact strand's design calibration)."""
