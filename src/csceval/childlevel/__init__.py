"""Key indicators computed from child-level returns with the DfE definitions.

- :mod:`csceval.childlevel.calendar`: England and Wales bank holidays and working days.
- :mod:`csceval.childlevel.cin`: CIN census indicators (referrals, re-referrals, CIN, S47,
  ICPCs and their timeliness, assessments within 45 working days, child protection plans).
- :mod:`csceval.childlevel.cla`: SSDA903 indicators (CLA at 31 March, starts, 3+ placements,
  long-term placement stability).

Indicator ids are those of :mod:`csceval.indicators.catalogue`; the year is the collection year
ending 31 March.
"""

from csceval.childlevel.cin import cin_indicators
from csceval.childlevel.cla import cla_indicators

__all__ = ["cin_indicators", "cla_indicators"]
