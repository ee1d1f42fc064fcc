"""Bounded reading of zip archives (.docx, .qdpx) and XML with no entities, DTDs or network.

Both readers face files from outside, possibly hostile: sizes are checked from the zip's
directory before anything is decompressed, each entry is read with a hard cap (a lying header
cannot inflate past it), and XML is parsed with ``resolve_entities=False``, ``no_network=True``
and ``load_dtd=False``; a document that declares a DTD is refused outright.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]

from csceval.errors import InputError, Problem

MAX_ARCHIVE_BYTES = 50_000_000
MAX_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 100_000_000


@dataclass(frozen=True)
class Limits:
    """Caps on an archive: compressed size, number of entries and total uncompressed size."""

    archive_bytes: int = MAX_ARCHIVE_BYTES
    entries: int = MAX_ENTRIES
    uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES


def _refuse(file: str, message: str, fix: str, code: str = "CSC-E3603") -> InputError:
    return InputError([Problem(code, message, file=file, fix=fix)])


class BoundedZip:
    """A zip archive opened only after its directory passed the limits."""

    def __init__(self, data: bytes, file: str, limits: Limits | None = None) -> None:
        limits = limits or Limits()
        self.file, self.limits = file, limits
        if len(data) > limits.archive_bytes:
            raise _refuse(
                file,
                f"the file is {len(data):,} bytes, more than the {limits.archive_bytes:,} allowed",
                "split the project or remove media files",
                "CSC-E3602",
            )
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError) as exc:
            raise _refuse(file, f"not a zip archive ({exc})", "check the file type") from exc
        if len(infos) > limits.entries:
            raise _refuse(
                file,
                f"the archive has {len(infos):,} entries, more than the {limits.entries:,} allowed",
                "check that this is the right file",
            )
        total = sum(i.file_size for i in infos)
        if total > limits.uncompressed_bytes:
            raise _refuse(
                file,
                f"the archive would expand to {total:,} bytes, more than the "
                f"{limits.uncompressed_bytes:,} allowed",
                "check that this is the right file (it may be a zip bomb)",
            )
        self.names = {i.filename for i in infos}
        self._budget = limits.uncompressed_bytes

    def read(self, name: str) -> bytes:
        """One entry's bytes, read with a cap (never more than the declared size allows)."""
        info = self.zip.getinfo(name)
        cap = min(info.file_size, self._budget)
        try:
            with self.zip.open(info) as handle:
                data = handle.read(cap + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise _refuse(
                self.file,
                f"entry {name!r} cannot be read ({exc})",
                "re-save the file from the program that made it",
            ) from exc
        if len(data) > cap:
            raise _refuse(
                self.file,
                f"entry {name!r} is larger than its header says",
                "check that this is the right file (it may be a zip bomb)",
            )
        self._budget -= len(data)
        return data


def parse_xml(data: bytes, file: str) -> etree._Element:
    """Parse XML with no DTD, no entity resolution and no network (CSC-E3604 when refused)."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _refuse(
            file,
            f"the XML cannot be parsed ({exc})",
            "re-save the file from the program that made it",
            "CSC-E3604",
        ) from exc
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise _refuse(
            file,
            "the XML declares a DTD (refused: entities are never expanded)",
            "export the file again without a DOCTYPE",
            "CSC-E3604",
        )
    return root
