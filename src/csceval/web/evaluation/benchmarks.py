"""A site's benchmarking page: the LA beside its statistical neighbours, region and England.

Every analysis run writes a page per benchmarked LA, ``report/benchmarks-<la>.html`` (scope
``one_la`` in the run's manifest, :mod:`csceval.output_scopes`). The site's page serves that
file of the latest finished run, so it shows exactly what that run published and costs no
analysis per request (it was drawn anew from the run's snapshot before: 3.5 s the first time,
about 1 s after).

The page is part of the run's report, so its relative links (the report's other pages, the
LA's tables) are rewritten to the run's file URLs, where the run-file view checks each file's
scope as usual. Pages are kept in memory by run id and LA (and the identity of the run's
manifest, so a run folder replaced under the same id, e.g. by a restore, is read again).
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from pathlib import Path

from django.urls import reverse

from csceval.atomic import MANIFEST
from csceval.output_scopes import FileScope, Scope
from csceval.web.evaluation.models import AnalysisRun
from csceval.web.evaluation.runs import report_file

REPORT_DIR = "report"
_LINK = re.compile(r'(?P<attr>\b(?:href|src))="(?P<url>[^"#][^"]*)"')
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/)")


def benchmark_file(la_code: str) -> str:
    """The run output file holding an LA's benchmarks (relative to the output folder)."""
    return f"{REPORT_DIR}/benchmarks-{la_code}.html"


def latest_run() -> AnalysisRun | None:
    """The latest finished analysis run (None before any run finished)."""
    return AnalysisRun.objects.filter(status=AnalysisRun.Status.DONE).first()


def _run_url(run_id: int, match: re.Match[str]) -> str:
    url = match.group("url")
    if _ABSOLUTE.match(url):
        return match.group(0)
    target = posixpath.normpath(posixpath.join(REPORT_DIR, url))
    if target.startswith("../") or target == "..":
        return match.group(0)  # outside the output folder: left as it is (it leads nowhere)
    return f'{match.group("attr")}="{reverse("evaluation:run_file", args=[run_id, target])}"'


def with_run_links(html: str, run_id: int) -> str:
    """``html`` (a page of a run's report folder) with its relative links pointing at the run's
    file URLs; fragment-only, absolute and ``data:`` links are kept."""
    return _LINK.sub(lambda match: _run_url(run_id, match), html)


@lru_cache(maxsize=64)
def _page(run_id: int, folder: str, la_code: str, written: tuple[int, int, int]) -> str | None:
    run = AnalysisRun(pk=run_id, folder=folder, status=AnalysisRun.Status.DONE)
    found = report_file(run, benchmark_file(la_code))
    if found is None or found[1] != FileScope(Scope.ONE_LA, la_code):
        return None
    return with_run_links(found[0].read_text(encoding="utf-8"), run_id)


def benchmark_page(run: AnalysisRun, la_code: str) -> str | None:
    """The LA's benchmarks page of finished ``run``, links rewritten, or None when the run
    published none for it (an LA that is not a pilot, a run without indicators or neighbours,
    a run made before the pages were written)."""
    if run.status != AnalysisRun.Status.DONE or not run.folder:
        return None
    try:
        manifest = (Path(run.folder) / "output" / MANIFEST).stat()
    except OSError:
        return None
    identity = (manifest.st_ino, manifest.st_mtime_ns, manifest.st_size)
    return _page(run.pk, run.folder, la_code, identity)
