"""Load benchmark: 200 staff answer the team-culture survey through their teams' links (issue 18).

The platform runs as on a shared server: ``csceval serve`` (gunicorn, threaded workers) on a
fresh database (PostgreSQL on loopback by default, ``--database-url sqlite`` for the local
SQLite file) holding a synthetic evaluation, with a survey team and its anonymous link at each
site. ``--respondents`` people start at random moments spread over ``--seconds`` (the issue's 10
minutes; ``--seconds 120`` compresses it to 2). Each opens the short link ``/r/<token>/``,
starts, answers every question on its own page (pausing ``--think`` seconds after each page, as
a person reads), reaches the check-answers page and sends. No sign-in: the pages are anonymous.

Afterwards the database is counted: every response a client saw confirmed must be exactly one
stored response with all 17 answers, and nothing else may be stored (0 lost, 0 duplicated).
Latencies are per request, by kind; the report prints a table for docs/benchmarks.md.

Usage: ``python benchmarks/survey_load.py [--respondents 200] [--seconds 600] [--think 1]
[--workers 2] [--threads 4] [--database-url postgresql://postgres@127.0.0.1:5432/postgres]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from csceval.pipeline import simulate_project
from csceval.web.devserver import platform, run

SETUP = """
import json
import django
django.setup()
from csceval.web.culture_survey.models import SurveyTeam
from csceval.web.culture_survey.services import team_link_create
from csceval.web.evaluation.models import Site
from csceval.web.evaluation.project_io import current_settings

point = current_settings().periods.time_points[0].id
tokens = []
for site in Site.objects.order_by("la_code"):
    team = SurveyTeam.objects.create(site=site, team="T01", time_point=point, invited=30)
    tokens.append(team_link_create(actor=None, team=team, closes_on=None)[1])
print(json.dumps({"tokens": tokens}))
"""

COUNT = """
import json
import django
django.setup()
from django.db.models import Count
from csceval.web.culture_survey.models import SurveyAnswer, SurveyDraft
from csceval.web.links.models import AnonymousLink

per = SurveyAnswer.objects.values("response_id").annotate(n=Count("id"))
print(json.dumps({"responses": per.count(), "answers": SurveyAnswer.objects.count(),
                  "incomplete": sum(1 for r in per if r["n"] != 17),
                  "drafts": SurveyDraft.objects.count(),
                  "uses": sum(AnonymousLink.objects.values_list("uses", flat=True))}))
"""

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    confirmed: int = 0


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found[1]


async def _respond(base: str, token: str, delay: float, think: float, stats: Stats) -> None:
    await asyncio.sleep(delay)
    # No kept-alive connections: a browser re-sends a request whose reused connection the server
    # had just closed (gunicorn closes idle ones after 2 s); httpx would report a ReadError.
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=base, follow_redirects=True, timeout=120, limits=limits
    ) as client:

        async def call(kind: str, method: str, url: str, **kwargs: object) -> httpx.Response:
            started = time.perf_counter()
            try:
                response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.HTTPError as error:
                raise RuntimeError(f"{kind}: {error!r}") from error
            stats.latencies[kind].append(time.perf_counter() - started)
            if response.status_code >= 400:
                raise RuntimeError(f"{kind} {url}: {response.status_code}")
            await asyncio.sleep(think * random.uniform(0.5, 1.5))
            return response

        try:
            page = await call("open link and start page", "GET", f"/r/{token}/")
            page = await call(
                "start (POST + the first question)", "POST", f"{page.url.path}begin/",
                data={"csrfmiddlewaretoken": _csrf(page.text)},
            )  # fmt: skip
            while "/q/" in page.url.path:
                radio = 'type="radio"' in page.text
                answer = str(random.randint(1, 5)) if radio else "Supervision is regular."
                data = {"csrfmiddlewaretoken": _csrf(page.text), "answer": answer, "next": "1"}
                page = await call("answer (POST + the next page)", "POST", page.url.path, data=data)
            if not page.url.path.endswith("/check/"):
                raise RuntimeError(f"ended at {page.url.path}")
            done = await call(
                "send (POST + confirmation)", "POST", page.url.path,
                data={"csrfmiddlewaretoken": _csrf(page.text)},
            )  # fmt: skip
            if done.url.path.endswith("/done/") and "Answers sent" in done.text:
                stats.confirmed += 1
            else:
                stats.errors.append(f"not confirmed: {done.url.path}")
        except RuntimeError as error:
            stats.errors.append(repr(error))


async def _load(base: str, tokens: list[str], args: argparse.Namespace) -> tuple[Stats, float]:
    stats = Stats()
    rng = random.Random(18)
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _respond(base, tokens[n % len(tokens)], rng.uniform(0, args.seconds), args.think, stats)
            for n in range(args.respondents)
        )
    )
    return stats, time.perf_counter() - started


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(stats: Stats, counted: dict[str, int], args: argparse.Namespace, wall: float) -> None:
    print(f"\n`python benchmarks/survey_load.py --respondents {args.respondents} --seconds "
          f"{args.seconds:g} --think {args.think:g} --workers {args.workers} --threads "
          f"{args.threads}` ({args.database_url.split(':')[0]}):\n")  # fmt: skip
    print("| request | n | p50 (ms) | p95 (ms) | max (ms) |\n|---|---|---|---|---|")
    everything: list[float] = []
    for kind, values in stats.latencies.items():
        everything += values
        print(f"| {kind} | {len(values)} | {1000 * statistics.median(values):.0f} | "
              f"{1000 * _percentile(values, 0.95):.0f} | {1000 * max(values):.0f} |")  # fmt: skip
    print(
        f"| **all requests** | **{len(everything)}** | "
        f"**{1000 * statistics.median(everything):.0f}** | "
        f"**{1000 * _percentile(everything, 0.95):.0f}** | {1000 * max(everything):.0f} |"
    )
    lost = stats.confirmed - counted["responses"]
    print(
        f"\n- {len(everything) / wall:.1f} requests/s over {wall:.0f} s; "
        f"{len(stats.errors)} errors {stats.errors[:3]}"
    )
    print(
        f"- confirmed to clients: {stats.confirmed}; stored responses: {counted['responses']} "
        f"({counted['answers']} answers, {counted['incomplete']} incomplete, "
        f"{counted['drafts']} drafts left, link uses {counted['uses']}); lost: {lost}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    database = "" if args.database_url == "sqlite" else args.database_url
    with tempfile.TemporaryDirectory(prefix="csceval-survey-load-") as tmp:
        data = Path(tmp)
        simulate_project(data / "project", seed=2018)
        with platform(
            data, project=data / "project", setup_script=SETUP, database_url=database,
            workers=args.workers, threads=args.threads,
        ) as running:  # fmt: skip
            tokens = json.loads(running.setup_output)["tokens"]
            print(f"load average before: {os.getloadavg()[0]:.1f}")
            stats, wall = asyncio.run(_load(running.url, tokens, args))
            print(f"load average after: {os.getloadavg()[0]:.1f}")
            counted = json.loads(run([sys.executable, "-c", COUNT], running.env))
            log = running.log.read_text(errors="replace")
            trouble = [x for x in log.splitlines() if re.search(r"TIMEOUT|ERROR|CRITICAL", x)]
            print(f"server log problems: {len(trouble)}", *trouble[:5], sep="\n")
            leaked = sum(log.count(t) for t in tokens)
            print(f"server log: {len(log.splitlines())} lines; tokens in it: {leaked}")
    report(stats, counted, args, wall)


if __name__ == "__main__":
    main()
