"""What the key-indicator trends show on each indicator, for the theory-of-change evidence map.

One finding per indicator (reference ``indicator:<id>``): the section's sentence on how the
pilots' gap to their comparators moved from before implementation to after embedding, computed
from the published (disclosure-controlled) group means. Descriptive, so no strength. Direction:
the change in the gap read against the indicator's desirable direction; ``no-change`` when it
rounds to zero at the published precision.
"""

from __future__ import annotations

from csceval.disclosure import DisclosurePolicy
from csceval.report.model import Section
from csceval.strands.evidence_finding import EvidenceFinding, direction_of
from csceval.strands.key_indicators.section import _published, describe_change, published_series
from csceval.strands.key_indicators.trends import TrendsResult, mean_gap


def trends_evidence(
    result: TrendsResult, section: Section, policy: DisclosurePolicy
) -> tuple[EvidenceFinding, ...]:
    """A finding per indicator whose gap is known before and after."""
    out = []
    for trend in result.trends:
        published = published_series(trend, _published(trend, policy))
        text = describe_change(trend, published)
        before = mean_gap(published, trend.pre_years)
        after = mean_gap(published, trend.post_years)
        if text is None or before is None or after is None:
            continue
        change = round(after - before, 1)
        out.append(
            EvidenceFinding(
                f"indicator:{trend.indicator.id}",
                "key-indicators",
                direction_of(change, trend.indicator.better),
                None,
                text,
            )
        )
    return tuple(out)
