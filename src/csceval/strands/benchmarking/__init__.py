"""Benchmarking: each pilot against its statistical neighbours, its region and England."""

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
)
