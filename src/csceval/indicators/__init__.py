"""Key indicators: the catalogue and its computation."""

from csceval.indicators.catalogue import BY_ID, CATALOGUE, Better, Indicator, Kind, indicator

__all__ = ["BY_ID", "CATALOGUE", "Better", "Indicator", "Kind", "indicator"]
