"""Anonymous links: unguessable, hashed, dated links that open pages without signing in.

A platform app other apps build on (the culture survey, parents' goal ratings, the national
scoping survey). The API is :mod:`csceval.web.links.services` (create, revoke, resolve, record a
use), :func:`csceval.web.links.views.link_view` (the decorator for a respondent page) and
:func:`csceval.web.links.purposes.register_purpose` (where ``/r/<token>/`` leads). See
docs/security.md, "Anonymous links".
"""
