"""Load benchmark: 50 concurrent LA coordinators browse and submit data returns for 2 minutes.

The platform runs as it would on a shared server: ``csceval serve`` (gunicorn) on a fresh
PostgreSQL database, on loopback. Each virtual user signs in, then loops over the pages of its
own LA (home, sites, its returns, a return, the indicators page) and uploads a filled-in XLSX
return (a write with its audit event) until the time is up, and finally submits the return.
Afterwards the database is counted: every upload the clients saw succeed must be exactly one
``return.upload`` audit event, each return must hold exactly one value per indicator, every
return must be submitted, and the audit chain must verify.

Usage: ``python benchmarks/web_load.py [--users 50] [--seconds 120] [--workers 4] [--think 1]
[--database-url postgresql://postgres@127.0.0.1:5432/test]``
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from openpyxl import load_workbook

from csceval.pipeline import simulate_project
from csceval.web.devserver import platform, run

PASSWORD = "load test passphrase of some length"
YEAR = 2026

SETUP = """
import json, sys
from datetime import timedelta
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from csceval.web.accounts.services import membership_grant
from csceval.web.evaluation.models import LocalAuthority, Site

password, n = sys.argv[1], int(sys.argv[2])
taken = set(Site.objects.values_list("la_code", flat=True))
free = [la for la in LocalAuthority.objects.order_by("la_code") if la.la_code not in taken][:n]
users = []
for i, la in enumerate(free):
    Site.objects.create(la_code=la.la_code, name=la.la_name, role="comparator")
    user = get_user_model().objects.create_user(f"coordinator{i:02d}", password=password)
    membership_grant(actor=None, user=user, la_code=la.la_code, role="la_coordinator",
                     expires_at=timezone.now() + timedelta(days=1))
    users.append([user.username, la.la_code])
print(json.dumps(users))
"""

COUNT = """
import json
import django
django.setup()
from django.db.models import Count
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import verify_chain
from csceval.web.returns.models import PilotReturn

uploads = {}
for event in AuditEvent.objects.filter(action="return.upload"):
    uploads[event.actor] = uploads.get(event.actor, 0) + 1
returns = list(PilotReturn.objects.annotate(n=Count("indicator_values")).values_list(
    "site__la_code", "status", "n"))
print(json.dumps({"uploads": uploads, "returns": returns, "chain_problems": len(verify_chain()),
                  "events": AuditEvent.objects.count()}))
"""


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    uploads: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if match is None:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def _filled(template: bytes) -> bytes:
    """The downloaded template with every indicator value filled in (10: valid for all units)."""
    book = load_workbook(io.BytesIO(template))
    sheet = book["Key indicators"]
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value:
            sheet.cell(row, 5).value = 10
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _user(
    base: str, username: str, la_code: str, seconds: float, think: float, stats: Stats
) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False) as client:

        async def call(kind: str, method: str, url: str, **kwargs: object) -> httpx.Response:
            started = time.perf_counter()
            response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
            stats.latencies[kind].append(time.perf_counter() - started)
            if response.status_code >= 400:
                stats.errors.append(f"{username} {kind} {url}: {response.status_code}")
            if think:
                await asyncio.sleep(think)  # a person reads the page before the next click
            return response

        login = await call("login page", "GET", "/login/")
        await call(
            "sign in",
            "POST",
            "/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": _csrf(login.text),
            },
        )
        site = await call("returns of the site", "GET", f"/returns/site/{la_code}/")
        started = await call(
            "start a return",
            "POST",
            f"/returns/site/{la_code}/start/",
            data={"year": str(YEAR), "csrfmiddlewaretoken": _csrf(site.text)},
        )
        detail_url = started.headers["Location"]
        template = await call("template download", "GET", f"{detail_url}template.xlsx")
        workbook = _filled(template.content)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for kind, url in (
                ("home", "/"),
                ("sites", "/sites/"),
                ("site page", f"/sites/{la_code}/"),
                ("return", detail_url),
                ("return indicators", f"{detail_url}indicators/"),
            ):
                await call(kind, "GET", url)
            form = await call("upload page", "GET", f"{detail_url}upload/")
            uploaded = await call(
                "upload",
                "POST",
                f"{detail_url}upload/",
                data={"csrfmiddlewaretoken": _csrf(form.text)},
                files={"file": (f"return-{la_code}.xlsx", workbook)},
            )
            if uploaded.status_code == 302:
                stats.uploads[username] += 1
        page = await call("return", "GET", detail_url)
        await call(
            "submit",
            "POST",
            f"{detail_url}submit/",
            data={"csrfmiddlewaretoken": _csrf(page.text)},
        )


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _load(
    base: str, users: list[list[str]], seconds: float, think: float
) -> tuple[Stats, float]:
    stats = Stats()
    started = time.perf_counter()
    await asyncio.gather(*(_user(base, u, la, seconds, think, stats) for u, la in users))
    return stats, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--think", type=float, default=1.0, help="Seconds a user pauses after each page (0: none)."
    )
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="csceval-load-") as tmp:
        data = Path(tmp)
        simulate_project(data / "project", seed=2018)
        with platform(
            data,
            project=data / "project",
            setup_script=SETUP,
            setup_args=[PASSWORD, str(args.users)],
            database_url=args.database_url,
            workers=args.workers,
        ) as running:
            users = json.loads(running.setup_output)
            stats, wall = asyncio.run(_load(running.url, users, args.seconds, args.think))
            counted = json.loads(run([sys.executable, "-c", COUNT], running.env))
    everything = [x for values in stats.latencies.values() for x in values]
    print(
        f"{len(users)} users, {args.seconds:.0f} s, think time {args.think:g} s, "
        f"{args.workers} gunicorn workers, "
        f"{len(everything)} requests in {wall:.1f} s ({len(everything) / wall:.1f}/s)"
    )
    print(f"errors: {len(stats.errors)}", *stats.errors[:10], sep="\n  ")
    print("| request | n | p50 (ms) | p95 (ms) |\n|---|---|---|---|")
    for kind, values in [*sorted(stats.latencies.items()), ("all requests", everything)]:
        print(
            f"| {kind} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
            f"{_percentile(values, 0.95) * 1000:.0f} |"
        )
    expected_uploads = dict(stats.uploads)
    lost = {
        u: (n, counted["uploads"].get(u, 0))
        for u, n in expected_uploads.items()
        if counted["uploads"].get(u, 0) != n
    }
    values = {n for _, _, n in counted["returns"]}
    statuses = {s for _, s, _ in counted["returns"]}
    print(
        f"uploads seen by clients: {sum(expected_uploads.values())}; audited uploads: "
        f"{sum(counted['uploads'].values())}; mismatches: {lost or 'none'}"
    )
    print(
        f"returns: {len(counted['returns'])}, statuses {sorted(statuses)}, values per return "
        f"{sorted(values)}; audit events {counted['events']}, chain problems "
        f"{counted['chain_problems']}"
    )


if __name__ == "__main__":
    main()
