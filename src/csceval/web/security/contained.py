"""Reading a folder without leaving it: no symbolic links, every file bounded before it is read.

``import-project`` reads an evaluation project folder that may come from anywhere; a link such
as ``data/notes.txt -> /etc/passwd`` would otherwise copy a server file into the database. The
folder is walked without following links, and any link (to a file or a folder, inside or
outside) refuses the whole import: a project folder never needs one, and resolving links safely
is harder than refusing them.
"""

from __future__ import annotations

import os
from pathlib import Path

from csceval.errors import InputError, Problem

MAX_OTHER_FILE_BYTES = 50 * 1024 * 1024
"""The largest project file kept verbatim (a project's other files are small tables)."""


def contained_files(root: Path) -> list[Path]:
    """Every regular file under ``root`` (hidden ones skipped), sorted; raises
    :class:`InputError` (CSC-E6053) for a symbolic link anywhere in the folder or a file too
    large to keep, so nothing outside the folder is ever read."""
    problems: list[Problem] = []
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in [*dirs, *files]:
            path = here / name
            where = path.relative_to(root).as_posix()
            if path.is_symlink():
                problems.append(_outside(where, "is a symbolic link"))
            elif name in files and not name.startswith("."):
                if path.stat().st_size > MAX_OTHER_FILE_BYTES:
                    limit = MAX_OTHER_FILE_BYTES // (1024 * 1024)
                    problems.append(_outside(where, f"is larger than {limit} MB"))
                elif path.is_file():
                    found.append(path)
    if problems:
        raise InputError(problems)
    return sorted(found)


def _outside(where: str, why: str) -> Problem:
    return Problem(
        "CSC-E6053",
        f"the project file {why}: import-project reads only files inside the project folder",
        file=where,
        fix="copy the file into the project folder in place of the link, or remove it",
    )
