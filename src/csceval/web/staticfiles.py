"""The static assets csceval.web serves at /assets/: a fixed list, hashed names, cached for a year.

GOV.UK Frontend's ready-built CSS hard-codes ``/assets/fonts/...`` and ``/assets/images/...``, so
its ``dist/govuk/assets`` folder is mounted at the root of STATIC_URL; the CSS and the ES-module
JavaScript sit under ``govuk/``, htmx under ``htmx/``. :class:`AssetFinder` lists exactly these
files; nothing else from node_modules is reachable.

The files are collected once into ``STATIC_ROOT`` (:func:`collect_assets`) by WhiteNoise's
``CompressedManifestStaticFilesStorage``: each gets a copy named by its content hash
(``govuk-frontend.min.<hash>.css``, with the CSS's font and image URLs rewritten to hashed
names) and gzip/Brotli copies, and pages link to the hashed names. :class:`AssetMiddleware`
serves a hashed file with ``Cache-Control: max-age=31536000, public, immutable``: a new version
has a new name, so browsers never need to ask again.

Methodological choices:

- ``STATIC_ROOT`` is ``<data>/assets/<fingerprint>``, the fingerprint a hash of the listed
  files' names and contents (:func:`asset_fingerprint`): new npm assets get a new folder, and a
  folder once collected never changes under a running server.
- A folder is collected aside and renamed into place, so processes that start at once (gunicorn
  workers, parallel tests) never see half a collection: the first rename wins, the others'
  copies are dropped. ``csceval serve`` collects before gunicorn starts; any other process
  collects when its first request arrives if the folder is missing (no separate
  ``collectstatic`` step to forget).
- A name missing from the manifest (e.g. node_modules not installed) is linked unhashed rather
  than failing the page, as before assets were hashed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage
from whitenoise.middleware import WhiteNoiseMiddleware  # type: ignore[import-untyped]
from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]

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
LAYOUT_VERSION = "1"
"""Part of the fingerprint: bump it when the way assets are collected changes."""
ONE_YEAR = 365 * 24 * 60 * 60


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


def asset_fingerprint(node_modules: Path) -> str:
    """A short hash of the listed assets' names and contents (and :data:`LAYOUT_VERSION`)."""
    digest = hashlib.sha256(LAYOUT_VERSION.encode())
    for name, path in sorted(asset_files(node_modules).items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


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


class AssetStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed assets in ``STATIC_ROOT``, collected there on first use if missing.

    Only the CSS's ``url(...)`` and ``@import`` references are rewritten to hashed names; the
    source maps the minified files name are not served (they are 600 KB, for developers only).
    """

    patterns = (
        (
            "*.css",
            (
                r"""(?P<matched>url\(['"]{0,1}\s*(?P<url>.*?)["']{0,1}\))""",
                (
                    r"""(?P<matched>@import\s*["']\s*(?P<url>.*?)["'])""",
                    """@import url("%(url)s")""",
                ),
            ),
        ),
    )

    def __init__(self, *args: Any, collect: bool = True, **kwargs: Any) -> None:
        self._collect = collect
        super().__init__(*args, **kwargs)

    def load_manifest(self) -> tuple[dict[str, str], str]:
        if self._collect and not Path(self.location, self.manifest_name).is_file():
            collect_assets(Path(self.location))
        loaded: tuple[dict[str, str], str] = super().load_manifest()
        return loaded

    def stored_name(self, name: str) -> str:
        try:
            stored: str = super().stored_name(name)
        except ValueError:  # not collected (e.g. node_modules missing): the plain name
            return name
        return stored


def collect_assets(root: Path | None = None) -> Path:
    """Collect the assets into ``root`` (default ``STATIC_ROOT``) unless it is already there.

    The files are copied, hashed and compressed in a folder beside ``root`` and renamed into
    place when complete; if another process got there first, its folder is kept.
    """
    root = Path(root or settings.STATIC_ROOT)
    if (root / AssetStorage.manifest_name).is_file():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}-partial-", dir=root.parent))
    try:
        storage = AssetStorage(location=str(staging), collect=False)
        found: dict[str, tuple[FileSystemStorage, str]] = {}
        for path, source in AssetFinder().list(None):
            name = f"{source.prefix}/{path}" if getattr(source, "prefix", "") else path
            with source.open(path) as handle:
                storage.save(name, handle)
            found[name] = (source, path)
        for _, _, processed in storage.post_process(found, dry_run=False):
            if isinstance(processed, Exception):
                raise processed
        try:
            os.rename(staging, root)
        except OSError:
            if not (root / AssetStorage.manifest_name).is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return root


def remove_other_collections(root: Path | None = None) -> list[Path]:
    """Remove collected folders beside ``root`` (older fingerprints); returns what went."""
    root = Path(root or settings.STATIC_ROOT)
    gone = []
    if root.parent.is_dir():
        for other in root.parent.iterdir():
            if other.is_dir() and other.name != root.name and not other.name.startswith("."):
                shutil.rmtree(other, ignore_errors=True)
                gone.append(other)
    return gone


_SCANNED: dict[tuple[object, ...], dict[str, Any]] = {}
"""The files WhiteNoise found under each collected folder, by folder and serving settings."""


class AssetMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise over the collected assets (collected first if missing); hashed names are
    cached for a year and marked immutable, other names (the GOV.UK template's favicon
    links) for ``WHITENOISE_MAX_AGE``.

    A collected folder never changes (its name is its fingerprint), so its scan (a ``stat`` of
    every file and its compressed copies) is made once per process and shared by every
    instance: Django builds the middleware once per handler, and tests build a handler per
    test client (the scan was a seventh of the access-matrix tests' time)."""

    def __init__(self, get_response: Any = None, settings: Any = settings) -> None:
        collect_assets(Path(settings.STATIC_ROOT))
        super().__init__(get_response, settings=settings)

    def add_files(self, root: str, prefix: str | None = None) -> None:
        if self.autorefresh:  # WhiteNoise then looks files up on each request
            super().add_files(root, prefix)
            return
        key = (os.path.abspath(root), prefix, self.max_age, self.allow_all_origins, self.charset)
        if key not in _SCANNED:
            before = dict(self.files)
            super().add_files(root, prefix)
            _SCANNED[key] = {u: f for u, f in self.files.items() if before.get(u) is not f}
        self.files.update(_SCANNED[key])

    def add_cache_headers(self, headers: Any, path: str, url: str) -> None:
        if self.immutable_file_test(path, url):
            headers["Cache-Control"] = f"max-age={ONE_YEAR}, public, immutable"
        else:
            super().add_cache_headers(headers, path, url)
