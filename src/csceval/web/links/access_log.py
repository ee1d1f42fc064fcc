"""gunicorn's access log without anything that could tie a respondent to a link.

``csceval serve`` logs every request (docs/security.md, log inventory): client address, request
line, referrer and browser. For a request to an anonymous link's pages (a path segment shaped
like a link token) or coming from one (such a referrer), this logger writes ``-`` for the
address, the browser, every request header and environment value, and ``<token>`` for the
token, so the server's log cannot say who opened which team's link. Other requests are logged
as before.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

TOKEN_SEGMENT = re.compile(r"/[A-Za-z0-9_-]{43}(?=[/?#]|$)")
REDACTED = "/<token>"


def redact(text: str) -> str:
    """``text`` with every token-shaped path segment replaced by ``/<token>``."""
    return TOKEN_SEGMENT.sub(REDACTED, text)


class LinkRedactingLogger(Logger):
    """gunicorn's Logger, with link requests stripped of who made them."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        path = str(environ.get("RAW_URI", "")) + " " + str(environ.get("HTTP_REFERER", ""))
        if not TOKEN_SEGMENT.search(path):
            return atoms
        for key in list(atoms):
            if key.endswith(("}i", "}e")):
                atoms[key] = "-"
        atoms.update(h="-", a="-", f=redact(str(atoms.get("f", "-"))))
        for key in ("r", "U", "q"):
            atoms[key] = redact(str(atoms.get(key) or ""))
        return atoms
