"""Readers for the public and LA files the key indicators are built from.

- :mod:`csceval.data.ees`: DfE Explore Education Statistics (EES) tidy CSVs.
- :mod:`csceval.data.la_reference`: LA codes, regions, reorganisations, statistical neighbours.
- :mod:`csceval.data.population`: ONS mid-year population aged 0-17 (the EES file).
- :mod:`csceval.data.lait`: DfE LAIT long-format indicators (published rates used as a check).
- :mod:`csceval.data.annex_a`: Ofsted Annex A workbooks, identifiers dropped or pseudonymised.
- :mod:`csceval.data.csww`: the children's social work workforce census XML.
- :mod:`csceval.data.panel`: the LA x year panel and project tables from a folder of DfE files.
- :mod:`csceval.data.fetch`: downloading current files from EES (``csceval data fetch``).

Every reader is all-or-nothing: it returns whole tables or raises
:class:`~csceval.errors.InputError` carrying every coded problem (CSC-E40xx) with file, row
or cell, column and value.
"""
