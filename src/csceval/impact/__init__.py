"""Impact on key indicators: comparator selection (estimators arrive with their strand)."""

from csceval.impact.comparators import ComparatorSet, choose_comparators

__all__ = ["ComparatorSet", "choose_comparators"]
