"""Two coders coding the same transcript at once lose nothing; two memo saves of one version
give one save and one conflict (never a silent overwrite). Real threads, each with its own
client and database connection, on SQLite and on PostgreSQL (this file is in the PostgreSQL
pass of ``make unit-postgres``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from case_audit_helpers import OWN, evaluation, user_client
from django.db import connection
from interviews_helpers import plan, store

from csceval.web.audit_trail.models import AuditEvent
from csceval.web.interviews.models import Coding, Memo

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 6


def together(*jobs: Callable[[], list[int]]) -> list[list[int]]:
    """Run the jobs in threads released at the same moment; each closes its connection."""
    start = threading.Barrier(len(jobs))
    results: list[list[int]] = [[] for _ in jobs]
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            start.wait()
            results[k] = jobs[k]()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_two_coders_at_once_lose_nothing() -> None:
    evaluation()
    a, _ = user_client("coder_a", (OWN, "auditor"))
    b, _ = user_client("coder_b", (OWN, "auditor"))
    transcript = store(a, plan(a, OWN, "INT-901-T1-09"))
    url = f"/interviews/transcript/{transcript.pk}/code/"

    def coder(client: Any, codes: list[str]) -> Callable[[], list[int]]:
        def job() -> list[int]:
            return [
                client.post(
                    url,
                    {
                        "turn": str(2 + 2 * (k % 2)),
                        "start": str(k + 1),
                        "end": str(k + 6),
                        "codes": codes,
                    },
                ).status_code
                for k in range(ROUNDS)
            ]

        return job

    statuses = together(coder(a, ["child-voice", "clear-plans"]), coder(b, ["practice-tools"]))
    assert statuses == [[302] * ROUNDS, [302] * ROUNDS]
    rows = Coding.objects.filter(transcript=transcript)
    got = sorted((c.coder.get_username(), c.turn, c.start, c.code) for c in rows)
    want = sorted(
        [
            (name, 2 + 2 * (k % 2), k, code)
            for name, codes in (
                ("coder_a", ["child-voice", "clear-plans"]),
                ("coder_b", ["practice-tools"]),
            )
            for k in range(ROUNDS)
            for code in codes
        ]
    )
    assert got == want
    assert AuditEvent.objects.filter(action="interview_coding.add").count() == 2 * ROUNDS


def test_two_memo_saves_of_one_version_give_one_conflict() -> None:
    evaluation()
    a, user = user_client("coder_a", (OWN, "auditor"))
    b, _ = user_client("coder_b", (OWN, "auditor"))
    transcript = store(a, plan(a, OWN, "INT-901-T1-10"))
    memo = Memo.objects.create(
        transcript=transcript, target_kind="source", target_id="1", author=user, text="Start"
    )
    url = f"/interviews/memo/{memo.pk}/"

    def save(client: Any, text: str) -> Callable[[], list[int]]:
        return lambda: [client.post(url, {"text": text, "version": "1", "target": "x"}).status_code]

    statuses = sorted(s for r in together(save(a, "From A"), save(b, "From B")) for s in r)
    assert statuses == [302, 409]
    memo.refresh_from_db()
    assert memo.version == 2
    assert memo.text in ("From A", "From B")
