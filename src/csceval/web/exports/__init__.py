"""Exports for evaluators: datasets as CSV, XLSX, SPSS .sav and Stata .dta with a codebook.

Aggregate exports go through disclosure control; row-level exports need their own permission and
a stated purpose; every export is audited. Other apps add datasets to :mod:`.registry`.
"""
