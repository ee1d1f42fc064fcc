"""Load benchmark: 50 people of every role use the platform at once (issue 15, item 6).

The platform runs as it would on a shared server: ``csceval serve`` (gunicorn, threaded workers)
on a fresh PostgreSQL database on loopback, holding a synthetic evaluation and one finished
analysis run. Each virtual user signs in once (with a real TOTP code for the roles that need
2FA), then browses the pages its role uses, pausing ``--think`` seconds after each, until the
time is up:

- LA coordinators (half the users, each its own LA, the pilots first): home, sites, their site,
  its benchmarks, its returns, their return and its indicators, the self-profiles, and every
  third round the upload page and an upload of a filled-in XLSX return (a write with its audit
  event); at the end they submit the return.
- evaluators (a fifth): home, sites, a pilot's page and benchmarks, the analysis runs, the
  run, a page of the published report (each in turn), returns to review, exports, self-profiles,
  case audits.
- auditors (a fifth, on pilots): home, sites, their site, case audits, self-profiles.
- viewers (the rest, on pilots): home, sites, their site and benchmarks, the runs, the report.

Users start evenly over ``--ramp`` seconds (people do not all sign in in the same second;
sign-in is Argon2id with 100 MB by design). Page latencies (everything after sign-in) give the
percentiles; sign-ins are reported on their own. Afterwards the database is counted: every
upload the clients saw succeed must be exactly one ``return.upload`` audit event, each return
must hold one value per indicator, every return must be submitted and the audit chain verify.

Usage: ``python benchmarks/web_load.py [--users 50] [--seconds 120] [--workers 2] [--threads 4]
[--think 1] [--ramp 10] [--database-url postgresql://postgres@127.0.0.1:5432/postgres]``
(the database named in the URL is only used to create and drop a throwaway one beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from django_otp.oath import TOTP
from openpyxl import load_workbook

from csceval.pipeline import simulate_project
from csceval.web.devserver import platform, run
from web_load_scripts import COUNT, SETUP

PASSWORD = "load test passphrase of some length"
YEAR = 2026
SHARES = {"la_coordinator": 0.5, "evaluator": 0.2, "auditor": 0.2}  # viewers: the rest
REPORT_PAGES = ("index.html", "impact.html", "key-indicators.html", "costs.html", "about.html")


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    uploads: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    load: list[float] = field(default_factory=list)


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


class Session:
    """One person's client: every request timed under a kind, errors kept."""

    def __init__(self, client: httpx.AsyncClient, user: dict[str, str], stats: Stats) -> None:
        self.client, self.user, self.stats = client, user, stats
        self.think = 0.0

    async def call(self, kind: str, method: str, url: str, **kwargs: object) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = await self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.TransportError as exc:  # counted, and the person tries the next page
            self.stats.errors.append(f"{self.user['username']} {kind} {url}: {exc!r}")
            raise
        self.stats.latencies[kind].append(time.perf_counter() - started)
        if response.status_code >= 400:
            self.stats.errors.append(
                f"{self.user['username']} {kind} {url}: {response.status_code}"
            )
        if self.think:
            await asyncio.sleep(self.think)  # a person reads the page before the next click
        return response

    async def sign_in(self) -> None:
        login = await self.call("sign in", "GET", "/login/")
        data = {"username": self.user["username"], "password": PASSWORD}
        signed = await self.call(
            "sign in", "POST", "/login/", data={**data, "csrfmiddlewaretoken": _csrf(login.text)}
        )
        if "/account/two-factor/verify/" in signed.headers.get("Location", ""):
            form = await self.call("sign in", "GET", signed.headers["Location"])
            code = f"{TOTP(bytes.fromhex(self.user['key']), digits=6).token():06d}"
            await self.call(
                "sign in",
                "POST",
                signed.headers["Location"],
                data={"token": code, "csrfmiddlewaretoken": _csrf(form.text)},
            )


def _pages(user: dict[str, str], pilots: list[str], run_id: int, round_: int) -> list[tuple]:
    la = user["la"] if user["la"] != "*" else pilots[round_ % len(pilots)]
    report = REPORT_PAGES[round_ % len(REPORT_PAGES)]
    common = [("home", "/"), ("sites", "/sites/"), ("site page", f"/sites/{la}/")]
    if user["role"] == "evaluator":
        return [
            *common,
            ("benchmarks", f"/sites/{la}/benchmarks/"),
            ("analysis runs", "/analysis/"),
            ("analysis run", f"/analysis/{run_id}/"),
            ("report page", f"/analysis/{run_id}/files/report/{report}"),
            ("returns", "/returns/"),
            ("exports", "/exports/"),
            ("self-profiles", "/self-profiles/"),
            ("case audits", "/case-audits/"),
        ]
    if user["role"] == "auditor":
        return [*common, ("case audits", "/case-audits/"), ("self-profiles", "/self-profiles/")]
    return [  # viewer
        *common,
        ("benchmarks", f"/sites/{la}/benchmarks/"),
        ("analysis runs", "/analysis/"),
        ("report page", f"/analysis/{run_id}/files/report/index.html"),
    ]


async def _coordinator(session: Session, deadline: float) -> None:
    la = session.user["la"]
    site = await session.call("returns of the site", "GET", f"/returns/site/{la}/")
    started = await session.call(
        "start a return",
        "POST",
        f"/returns/site/{la}/start/",
        data={"year": str(YEAR), "csrfmiddlewaretoken": _csrf(site.text)},
    )
    detail = started.headers["Location"]
    template = await session.call("template download", "GET", f"{detail}template.xlsx")
    # openpyxl takes a CPU-second or more: off the event loop, or every other person's idle
    # connection would wait (and outlive the server's keep-alive) meanwhile.
    workbook = await asyncio.to_thread(_filled, template.content)
    round_ = 0
    while round_ == 0 or time.monotonic() < deadline:  # at least one round: one upload
        for kind, url in (
            ("home", "/"),
            ("sites", "/sites/"),
            ("site page", f"/sites/{la}/"),
            ("benchmarks", f"/sites/{la}/benchmarks/"),
            ("returns of the site", f"/returns/site/{la}/"),
            ("return", detail),
            ("return indicators", f"{detail}indicators/"),
            ("self-profiles", "/self-profiles/"),
        ):
            await session.call(kind, "GET", url)
        if round_ % 3 == 0:
            form = await session.call("upload page", "GET", f"{detail}upload/")
            uploaded = await session.call(
                "upload",
                "POST",
                f"{detail}upload/",
                data={"csrfmiddlewaretoken": _csrf(form.text)},
                files={"file": (f"return-{la}.xlsx", workbook)},
            )
            if uploaded.status_code == 302:
                session.stats.uploads[session.user["username"]] += 1
        round_ += 1
    page = await session.call("return", "GET", detail)
    await session.call(
        "submit", "POST", f"{detail}submit/", data={"csrfmiddlewaretoken": _csrf(page.text)}
    )


async def _user(
    base: str,
    user: dict[str, str],
    setup: dict,
    args: argparse.Namespace,
    delay: float,
    stats: Stats,
    deadline: float,
) -> None:
    await asyncio.sleep(delay)
    async with httpx.AsyncClient(base_url=base, timeout=60, follow_redirects=False) as client:
        session = Session(client, user, stats)
        try:
            await session.sign_in()
            session.think = args.think
            if user["role"] == "la_coordinator":
                await _coordinator(session, deadline)
                return
            round_ = 0
            while time.monotonic() < deadline:
                for kind, url in _pages(user, setup["pilots"], setup["run"], round_):
                    await session.call(kind, "GET", url)
                round_ += 1
        except (httpx.TransportError, RuntimeError, KeyError) as exc:  # already counted
            stats.errors.append(f"{user['username']} stopped: {exc!r}")


async def _sample_load(stats: Stats, deadline: float) -> None:
    while time.monotonic() < deadline:
        stats.load.append(os.getloadavg()[0])
        await asyncio.sleep(5)


async def _load(base: str, setup: dict, args: argparse.Namespace) -> tuple[Stats, float]:
    stats = Stats()
    started = time.perf_counter()
    deadline = time.monotonic() + args.ramp + args.seconds
    users = setup["users"]
    await asyncio.gather(
        _sample_load(stats, deadline),
        *(
            _user(base, u, setup, args, args.ramp * i / len(users), stats, deadline)
            for i, u in enumerate(users)
        ),
    )
    return stats, time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _row(kind: str, values: list[float]) -> str:
    p50, p95, p99 = (_percentile(values, q) * 1000 for q in (0.5, 0.95, 0.99))
    return f"| {kind} | {len(values)} | {p50:.0f} | {p95:.0f} | {p99:.0f} |"


def report(stats: Stats, setup: dict, counted: dict, args: argparse.Namespace, wall: float) -> None:
    pages = [x for kind, xs in stats.latencies.items() if kind != "sign in" for x in xs]
    roles = defaultdict(int)
    for user in setup["users"]:
        roles[user["role"]] += 1
    print(
        f"{len(setup['users'])} users ({', '.join(f'{n} {r}' for r, n in roles.items())}), "
        f"{args.seconds:.0f} s after a {args.ramp:.0f} s ramp, think time {args.think:g} s, "
        f"gunicorn {args.workers} workers x {args.threads} threads; {len(pages)} page requests "
        f"in {wall:.1f} s ({len(pages) / wall:.1f}/s)"
    )
    load = stats.load or [0.0]
    print(
        f"load average (1 min) during the run: min {min(load):.1f}, median "
        f"{statistics.median(load):.1f}, max {max(load):.1f}"
    )
    print(f"errors: {len(stats.errors)}", *stats.errors[:10], sep="\n  ")
    print("| request | n | p50 (ms) | p95 (ms) | p99 (ms) |\n|---|---|---|---|---|")
    for kind, values in sorted(stats.latencies.items()):
        print(_row(kind, values))
    print(_row("**all pages (after sign-in)**", pages))
    lost = {
        u: (n, counted["uploads"].get(u, 0))
        for u, n in stats.uploads.items()
        if counted["uploads"].get(u, 0) != n
    }
    print(
        f"uploads seen by clients: {sum(stats.uploads.values())}; audited uploads: "
        f"{sum(counted['uploads'].values())}; mismatches: {lost or 'none'}"
    )
    values = sorted({n for _, _, n in counted["returns"]})
    statuses = sorted({s for _, s, _ in counted["returns"]})
    print(
        f"returns: {len(counted['returns'])}, statuses {statuses}, values per return {values}; "
        f"audit events {counted['events']}, chain problems {counted['chain_problems']}"
    )


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--think", type=float, default=1.0, help="Seconds a user pauses after each page (0: none)."
    )
    parser.add_argument("--ramp", type=float, default=10.0, help="Seconds over which users start.")
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="csceval-load-") as tmp:
        data = Path(tmp)
        simulate_project(data / "project", seed=2018)
        with platform(
            data,
            project=data / "project",
            setup_script=SETUP,
            setup_args=[PASSWORD, str(args.users), json.dumps(SHARES), str(data / "project")],
            database_url=args.database_url,
            workers=args.workers,
            threads=args.threads,
        ) as running:
            setup = json.loads(running.setup_output)
            print(f"uptime before: {_uptime()}")
            stats, wall = asyncio.run(_load(running.url, setup, args))
            print(f"uptime after: {_uptime()}")
            counted = json.loads(run([sys.executable, "-c", COUNT], running.env))
            log = running.log.read_text(errors="replace").splitlines()
            trouble = [line for line in log if re.search(r"WORKER TIMEOUT|ERROR|CRITICAL", line)]
            print(f"server log: {len(log)} lines, {len(trouble)} worker errors", *trouble[:5])
    report(stats, setup, counted, args, wall)


if __name__ == "__main__":
    main()
