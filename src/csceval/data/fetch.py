"""Download the current DfE files into a folder laid out like shared/data (``csceval data fetch``).

The default manifest lists the EES CSVs that DfE's own dashboard repository
(``dfe-analytical-services/CSC_outcomes_and_enablers``, ``data-raw/``) refreshes from Explore
Education Statistics, plus the LA reference files; a manifest CSV (``name,url``; ``name`` a path
inside the output folder) can point anywhere else, such as EES data-catalogue CSV links.

Each download is retried (``retries`` times, doubling the wait), must look like a CSV (a header
row; EES files must have ``time_period``), and is written with a ``.sha256`` file beside it and a
``manifest.json`` listing URL, size, SHA-256 and time. Everything is downloaded into a temporary
folder first, so a failed run leaves the output folder as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from csceval.errors import InputError, Problem

_DASHBOARD = (
    "https://raw.githubusercontent.com/dfe-analytical-services/CSC_outcomes_and_enablers/main/"
)
_QA = "https://raw.githubusercontent.com/dfe-analytical-services/dfe-published-data-qa/main/data/"


@dataclass(frozen=True, slots=True)
class Item:
    """One file to fetch: where it goes (relative path) and where it comes from."""

    name: str
    url: str


DEFAULT_MANIFEST: tuple[Item, ...] = (
    *(
        Item(f"dfe_csc_ees_la/{f}", f"{_DASHBOARD}data-raw/{f}")
        for f in (
            "b1_children_in_need_2013_to_2025.csv",
            "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
            "d3_cpps_subsequent_plan_2013_to_2025.csv",
            "d5_cpps_at31march_by_duration_2013_to_2025.csv",
            "csww_indicators_2017_to_2025.csv",
            "ons_mid-year_population_estimates_2012_to_2024.csv",
        )
    ),
    Item(
        "dfe_csc_ees_la/cla_number_and_rate_per_10k_children_2021_to_2025.csv",
        f"{_DASHBOARD}data-raw/cla_number_and_rate_per_10k_children.csv",
    ),
    Item(
        "dfe_csc_ees_la/la_cla_placement_stability_2021_to_2025.csv",
        f"{_DASHBOARD}data-raw/la_cla_placement_stability.csv",
    ),
    Item(
        "la_reference/statistical_neighbours_sn_model_2025_wide.csv",
        f"{_DASHBOARD}data-raw/sn_model_2025_wide.csv",
    ),
    Item("la_reference/ees_las.csv", f"{_QA}las.csv"),
    Item("la_reference/ees_regions.csv", f"{_QA}regions.csv"),
)

Progress = Callable[[str, float], None]


def read_manifest(path: Path) -> list[Item]:
    """A manifest CSV with columns ``name,url``."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(
            [Problem("CSC-E4041", f"cannot read the manifest ({exc})", str(path))]
        ) from None
    items = [Item(r.get("name", "").strip(), r.get("url", "").strip()) for r in rows]
    bad = [i for i, item in enumerate(items, start=2) if not item.name or not item.url]
    if bad or not items:
        raise InputError(
            [Problem("CSC-E4041", "a manifest row lacks name or url", str(path), r) for r in bad]
            or [Problem("CSC-E4041", "the manifest lists no files", str(path))]
        )
    return items


def _download(url: str, retries: int, backoff: float, timeout: float) -> bytes:
    last = ""
    for attempt in range(retries + 1):
        try:
            request = urllib.request.Request(url, headers={"User-Agent": "csceval data fetch"})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if 400 <= exc.code < 500 and exc.code != 429:
                break
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            last = str(getattr(exc, "reason", exc))
        if attempt < retries:
            time.sleep(backoff * 2**attempt)
    raise InputError(
        [
            Problem(
                "CSC-E4040",
                f"download failed after {retries + 1} attempt(s): {last}",
                url,
                fix="check the network and the URL (or use --manifest)",
            )
        ]
    )


def _check_csv(item: Item, body: bytes) -> None:
    try:
        first = body.decode("utf-8-sig").splitlines()[0] if body else ""
    except UnicodeDecodeError:
        first = ""
    columns = [c.strip().strip('"') for c in first.split(",")]
    ees = item.name.startswith("dfe_csc_ees_la/")
    if len(columns) < 2 or (ees and "time_period" not in columns):
        raise InputError(
            [
                Problem(
                    "CSC-E4041",
                    "the download is not a CSV with a header row"
                    + (" including time_period" if ees else ""),
                    item.url,
                    value=first[:60],
                )
            ]
        )


def fetch(
    out: Path,
    items: Sequence[Item] = DEFAULT_MANIFEST,
    *,
    retries: int = 3,
    backoff: float = 1.0,
    timeout: float = 60.0,
    progress: Progress | None = None,
) -> list[Path]:
    """Download every item into ``out`` (whole, or nothing changed); the paths written."""
    step = progress or (lambda text, fraction: None)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".fetch-", dir=out.parent))
    record = []
    try:
        for i, item in enumerate(items):
            step(f"downloading {Path(item.name).name}", i / max(len(items), 1))
            body = _download(item.url, retries, backoff, timeout)
            _check_csv(item, body)
            digest = hashlib.sha256(body).hexdigest()
            target = tmp / item.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            target.with_name(target.name + ".sha256").write_text(
                f"{digest}  {target.name}\n", encoding="utf-8"
            )
            record.append(
                {
                    "name": item.name,
                    "url": item.url,
                    "bytes": len(body),
                    "sha256": digest,
                    "fetched_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
            )
        (tmp / "manifest.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        written = []
        for path in sorted(p for p in tmp.rglob("*") if p.is_file()):
            target = out / path.relative_to(tmp)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            written.append(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    step("done", 1.0)
    return written


def verify(folder: Path) -> list[Problem]:
    """Check every ``.sha256`` file under ``folder`` against its file."""
    problems = []
    for checksum in sorted(folder.rglob("*.sha256")):
        expected = checksum.read_text(encoding="utf-8").split()[0]
        target = checksum.with_name(checksum.name.removesuffix(".sha256"))
        actual = hashlib.sha256(target.read_bytes()).hexdigest() if target.is_file() else ""
        if actual != expected:
            problems.append(
                Problem("CSC-E4041", "the file does not match its checksum", str(target))
            )
    return problems
