"""Pilot data returns: each pilot LA's key indicators and implementation costs for a period.

An LA coordinator downloads an XLSX template generated from the indicator catalogue, uploads it
filled in, sees every problem at once, fixes, re-uploads and submits; an evaluator reviews it.
Approved values join every analysis snapshot
(:func:`csceval.web.evaluation.project_io.register_indicator_source`).
"""
