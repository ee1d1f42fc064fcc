"""Static assets: pages link to content-hashed names, cached for a year (issue 15, item 6)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from csceval.web.staticfiles import asset_files, asset_fingerprint, collect_assets

HASHED = r"/assets/{name}\.[0-9a-f]{{12}}\.{ext}"


def _body(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_pages_link_hashed_assets_served_immutable_for_a_year() -> None:
    client = Client()
    page = client.get("/login/").content.decode()
    urls = {}
    for name, ext in (
        ("govuk/govuk-frontend.min", "css"),
        ("govuk/govuk-frontend.min", "js"),
        ("htmx/htmx.min", "js"),
    ):
        found = re.search(HASHED.format(name=re.escape(name), ext=ext), page)
        assert found, (name, ext)
        urls[f"{name}.{ext}"] = found.group(0)

    css = client.get(urls["govuk/govuk-frontend.min.css"])
    assert css.status_code == 200
    assert css["Cache-Control"] == "max-age=31536000, public, immutable"
    assert css["Content-Type"].startswith("text/css")
    # The CSS's own font and image URLs are rewritten to hashed names too.
    fonts = re.findall(rb'url\("(/assets/fonts/[^"]+)"\)', _body(css))
    assert fonts
    assert all(re.search(rb"\.[0-9a-f]{12}\.woff2?$", f) for f in fonts), fonts
    font = client.get(fonts[0].decode())
    assert font.status_code == 200
    assert "immutable" in font["Cache-Control"]
    gzipped = client.get(urls["htmx/htmx.min.js"], headers={"Accept-Encoding": "gzip"})
    assert gzipped["Content-Encoding"] == "gzip"

    # Names without a hash (the GOV.UK template's favicon links) are not cached for long.
    plain = client.get("/assets/images/favicon.ico")
    assert plain.status_code == 200
    assert "immutable" not in plain["Cache-Control"]
    assert client.get("/assets/govuk/govuk-frontend.min.css.map").status_code == 404  # not listed


def test_new_assets_get_a_new_folder_and_a_folder_is_collected_once(tmp_path: Path) -> None:
    node_modules = Path(settings.NODE_MODULES)
    copy = tmp_path / "node_modules"
    for path in asset_files(node_modules).values():
        target = copy / path.relative_to(node_modules)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    root = collect_assets()
    assert root == Path(settings.STATIC_ROOT)
    assert root.name == asset_fingerprint(node_modules) == asset_fingerprint(copy)
    htmx = copy / "htmx.org/dist/htmx.min.js"
    htmx.write_bytes(htmx.read_bytes() + b"\n")
    assert asset_fingerprint(copy) != root.name
    manifest = (root / "staticfiles.json").stat()
    assert collect_assets(root) == root
    assert (root / "staticfiles.json").stat().st_mtime_ns == manifest.st_mtime_ns
    assert not [p for p in root.parent.iterdir() if p.name.startswith(".")]  # no staging left
