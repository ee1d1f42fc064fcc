"""The static assets csceval.web serves at /assets/: a fixed list, nothing else from node_modules.

GOV.UK Frontend's ready-built CSS hard-codes ``/assets/fonts/...`` and ``/assets/images/...``, so
its ``dist/govuk/assets`` folder is mounted at the root of STATIC_URL; the CSS and the ES-module
JavaScript sit under ``govuk/``, htmx under ``htmx/``. WhiteNoise (``WHITENOISE_USE_FINDERS``)
serves exactly what :class:`AssetFinder` lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# (URL prefix under /assets/, folder under node_modules, glob patterns of the files served)
ASSET_ROOTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "",
        "govuk-frontend/dist/govuk/assets",
        ("fonts/*.woff", "fonts/*.woff2", "images/*", "manifest.json"),
    ),
    ("govuk", "govuk-frontend/dist/govuk", ("govuk-frontend.min.css", "govuk-frontend.min.js")),
    ("htmx", "htmx.org/dist", ("htmx.min.js",)),
)


def asset_files(node_modules: Path) -> dict[str, Path]:
    """URL path under STATIC_URL -> file, for every listed asset that exists."""
    files: dict[str, Path] = {}
    for prefix, folder, patterns in ASSET_ROOTS:
        root = node_modules / folder
        for pattern in patterns:
            for path in sorted(root.glob(pattern)):
                if path.is_file():
                    rel = path.relative_to(root).as_posix()
                    files[f"{prefix}/{rel}" if prefix else rel] = path
    return files


class _PrefixedStorage(FileSystemStorage):
    def __init__(self, location: Path, prefix: str) -> None:
        super().__init__(location=str(location))
        self.prefix = prefix


class AssetFinder(BaseFinder):
    """A staticfiles finder over :data:`ASSET_ROOTS` only."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.node_modules = Path(settings.NODE_MODULES)

    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        found = asset_files(self.node_modules).get(path)
        if found is None:
            return [] if find_all else None
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for prefix, folder, patterns in ASSET_ROOTS:
            root = self.node_modules / folder
            storage = _PrefixedStorage(root, prefix)
            for pattern in patterns:
                for path in sorted(root.glob(pattern)):
                    if path.is_file():
                        yield path.relative_to(root).as_posix(), storage
