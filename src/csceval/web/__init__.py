"""csceval.web: the Django web application (the only csceval package that imports Django).

Apps: ``accounts`` (LA-scoped memberships) and ``audit_trail`` (the append-only, hash-chained
audit trail). Its commands are in :mod:`csceval.cli.web`.
"""
