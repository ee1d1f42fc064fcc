"""Deterministic XLSX bytes from an openpyxl workbook.

openpyxl stamps the save time into ``docProps/core.xml`` and into every zip entry, so two saves of
the same workbook differ. Here the entries are rewritten in a fixed order with a fixed timestamp
and the document dates are set to a fixed value: the same content gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

from openpyxl import Workbook

from csceval.web.exports.safe_cells import no_formulas

FIXED_TIME = datetime(2000, 1, 1)
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def xlsx_bytes(workbook: Workbook) -> bytes:
    """Save ``workbook`` to bytes that depend only on its content, with no formula cells
    (:func:`csceval.web.exports.safe_cells.no_formulas`)."""
    no_formulas(workbook)
    workbook.properties.creator = "csceval"
    workbook.properties.created = FIXED_TIME
    raw = io.BytesIO()
    workbook.save(raw)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(raw) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            data = source.read(name)
            if name == "docProps/core.xml":
                data = _DATES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<3>", data)
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, data)
    return out.getvalue()
