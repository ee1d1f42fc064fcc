"""Statistical disclosure control: the one step every published number goes through.

DfE children's social care conventions: small counts suppressed as ``c`` with secondary
suppression wherever margins are published, ``z`` not applicable, ``x`` not available, ``k``
rounds to zero, national and regional counts rounded to the nearest 10. See ``docs/disclosure.md``.

:func:`protect` publishes a table under a :class:`DisclosurePolicy`, given a :class:`TableSpec`
of :class:`PublishedColumn` (each with a :class:`ColumnRole`). The symbols are constants:
``SUPPRESSED`` (``c``), ``NOT_APPLICABLE`` (``z``), ``NOT_AVAILABLE`` (``x``),
``ROUNDS_TO_ZERO`` (``k``), ``NOT_PUBLISHED`` (LAIT's ``-``, translated on publication), and
``SYMBOLS``, every symbol an input cell may hold.
"""

from csceval.disclosure.policy import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    NOT_PUBLISHED,
    ROUNDS_TO_ZERO,
    SUPPRESSED,
    SYMBOLS,
    ColumnRole,
    DisclosurePolicy,
    PublishedColumn,
    PublishedTable,
    TableSpec,
)
from csceval.disclosure.primary import round_half_up, round_to_base, suppress_counts
from csceval.disclosure.publish import disclosive_cells, protect
from csceval.disclosure.secondary import UnprotectableTableError

__all__ = [
    "NOT_APPLICABLE",
    "NOT_AVAILABLE",
    "NOT_PUBLISHED",
    "ROUNDS_TO_ZERO",
    "SUPPRESSED",
    "SYMBOLS",
    "ColumnRole",
    "DisclosurePolicy",
    "PublishedColumn",
    "PublishedTable",
    "TableSpec",
    "UnprotectableTableError",
    "disclosive_cells",
    "protect",
    "round_half_up",
    "round_to_base",
    "suppress_counts",
]
