"""Key indicators over time: pilots against England, region and comparators, year by year."""

from csceval.strands.key_indicators.evidence import trends_evidence
from csceval.strands.key_indicators.section import render_trends
from csceval.strands.key_indicators.trends import analyse_trends
from csceval.strands.strand import Strand, StrandInputs


def _available(inputs: StrandInputs) -> bool:
    return bool(inputs.pilots) and not inputs.table("indicators").empty


STRAND = Strand(
    id="key-indicators",
    title="Key indicators over time",
    available=_available,
    analyse=analyse_trends,
    render=render_trends,
    evidence=trends_evidence,
)
