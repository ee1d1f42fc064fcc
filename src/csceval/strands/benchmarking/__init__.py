"""Benchmarking: each pilot against its statistical neighbours, its region and England."""

from csceval.output_scopes import Scope
from csceval.strands.benchmarking.benchmarking import (
    analyse_benchmarks,
    benchmarks_available,
    render_benchmarks,
)
from csceval.strands.strand import Strand

STRAND = Strand(
    id="benchmarking",
    title="Benchmarking against statistical neighbours",
    available=benchmarks_available,
    analyse=analyse_benchmarks,
    render=render_benchmarks,
    output_scopes={
        "tables/bench-{la}-*.csv": Scope.ONE_LA,
        "report/benchmarks-{la}.html": Scope.ONE_LA,
    },
)
