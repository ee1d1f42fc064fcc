"""The report as one PDF (WeasyPrint): contents with page numbers, bookmarks, tagged, and pages
that render to PNG with Poppler's pdftoppm. A small report keeps it quick; the demo's PDF (the
print edition) is rendered and checked in tests/integration/test_report_demo.py and measured in
benchmarks/report_pdf.py (docs/benchmarks.md)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from report_helpers import build_report

from csceval.report import write_report
from csceval.report.pdf import pdf_available

pytestmark = pytest.mark.skipif(
    not pdf_available() or shutil.which("pdftoppm") is None,
    reason="needs WeasyPrint (pip install weasyprint) and Poppler (apt-get install poppler-utils)",
)


def pdf_objects(data: bytes) -> str:
    """The PDF's text with its compressed streams (object streams included) inflated."""
    parts = [data.decode("latin-1")]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, flags=re.DOTALL):
        try:
            parts.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(parts)


def test_the_pdf_has_contents_bookmarks_tags_and_pages_that_render(tmp_path: Path) -> None:
    files = write_report(build_report(), tmp_path, pdf=True)
    assert files.pdf == tmp_path / "report" / "report.pdf"
    data = files.pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    info = subprocess.run(
        ["pdfinfo", str(files.pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert pages >= 3
    assert re.search(r"Tagged:\s+yes", info)
    assert "/Outlines" in pdf_objects(data), "bookmarks from the headings"
    text = subprocess.run(
        ["pdftotext", "-layout", str(files.pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert re.search(r"Impact on referrals\s*\.+\s*\d+", text), "contents with page numbers"
    assert f"Page 1 of {pages}" in text
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", str(files.pdf), str(tmp_path / "page")],
        check=True,
        timeout=120,
    )
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    assert all(image.stat().st_size > 1000 for image in images)
    assert write_report(build_report(), tmp_path / "again", pdf=True).pdf.read_bytes() == data  # type: ignore[union-attr]
