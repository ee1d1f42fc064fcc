"""Write the web platform's generated docs: ``python -m csceval.web.docs`` (docs/permissions.md).

A test keeps the committed page in step with :mod:`csceval.web.permissions`.
"""

from __future__ import annotations

import os
from pathlib import Path

PAGE = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def permissions_page() -> str:
    from csceval.web.permissions import permissions_matrix_markdown

    return permissions_matrix_markdown()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csceval.web.settings")
    import django

    django.setup()
    PAGE.write_text(permissions_page(), encoding="utf-8")
    print(f"wrote {PAGE}")


if __name__ == "__main__":
    main()
