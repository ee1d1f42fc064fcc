"""Coding in the platform: segments, inductive codes, memos, blind double coding, reconciliation.

A segment is a turn and character offsets ``[start, end)`` within its de-identified text, stored
with the text it covers. Each code applied is its own inserted row, so coders working at once
never overwrite each other; a memo is saved with optimistic concurrency (its ``version`` must be
the one the writer read, else CSC-E3683 and nothing is written).

Blind double coding: an evaluator assigns a share of a site's uncoded transcripts to two
coders; each codes pass ``first`` or ``second`` and sees only their own codings until both mark
the transcript done. Disagreements are then (turn, code) units that one coder applied and the
other did not. A third person, or either coder, decides each; the strand's
:func:`~csceval.strands.interviews.reconcile.reconcile` gives the agreed set (units both applied,
coder: the first coder; units decided "keep", coder: the reconciler), stored as pass
``reconciled`` with the segment of the coder who drew it (the first coder's if both did).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from django.db import transaction
from django.db.models import F

from csceval.strands.interviews.reconcile import DECISION_COLUMNS
from csceval.strands.interviews.reconcile import reconcile as strand_reconcile
from csceval.web.audit_trail.services import audit_record
from csceval.web.interviews.exports import coder_pseudonym
from csceval.web.interviews.models import Coding, Decision, InductiveCode, Memo, Transcript
from csceval.web.interviews.selectors import (
    code_ids,
    codings_frame,
    disagreements,
    visible_codings,
)
from csceval.web.interviews.services import actor_name, refuse


def coder_pass(actor: Any, transcript: Transcript) -> str:
    """The pass ``actor`` codes on the transcript (CSC-E3685 if they may not code it now)."""
    if transcript.reconciled:
        raise refuse("CSC-E3685", "the transcript is reconciled: coding is closed")
    if not transcript.double:
        return "first"
    for which in ("first", "second"):
        if getattr(transcript, f"{which}_coder_id") == actor.pk:
            if getattr(transcript, f"{which}_done"):
                raise refuse("CSC-E3685", "you marked your coding done")
            return which
    raise refuse("CSC-E3685", "the transcript is assigned to two other coders for blind coding")


@transaction.atomic
def coding_add(
    *,
    actor: Any,
    transcript: Transcript,
    turn: int,
    start: int | None,
    end: int | None,
    codes: Sequence[str],
) -> list[Coding]:
    """Apply ``codes`` to a segment (the whole turn when offsets are blank): one row per code."""
    transcript = Transcript.objects.select_for_update().get(pk=transcript.pk)
    which = coder_pass(actor, transcript)
    found = transcript.turns.filter(number=turn).first()
    if found is None:
        raise refuse("CSC-E3682", "no such turn", "turn", str(turn))
    start = 0 if start is None else start
    end = len(found.text) if end is None else end
    if not 0 <= start < end <= len(found.text):
        raise refuse(
            "CSC-E3682",
            f"the characters must lie within the turn (0 to "
            f"{len(found.text)}), the first before the last",
            "start",
            f"{start}-{end}",
        )
    known = code_ids()
    unknown = [c for c in codes if c not in known]
    if not codes or unknown:
        raise refuse(
            "CSC-E3626", "choose at least one code of the codebook", "codes", ", ".join(unknown)
        )
    made = [
        Coding.objects.create(
            transcript=transcript,
            coder=actor,
            coding_pass=which,
            turn=turn,
            start=start,
            end=end,
            text=found.text[start:end],
            code=code,
        )
        for code in dict.fromkeys(codes)
    ]
    audit_record(
        actor=actor_name(actor),
        action="interview_coding.add",
        object_type="interview",
        object_id=transcript.interview.interview_id,
        new_values={
            "turn": turn,
            "start": start,
            "end": end,
            "pass": which,
            "codes": list(dict.fromkeys(codes)),
        },
    )
    return made


@transaction.atomic
def code_add(
    *, actor: Any, code_id: str, title: str, definition: str, parent: str
) -> InductiveCode:
    """Add an inductive code to the codebook while coding (CSC-E3687 if the id is taken)."""
    known = code_ids(codable_only=False)
    if code_id in known:
        raise refuse("CSC-E3687", "the codebook already has this code id", "code_id", code_id)
    if parent and parent not in known:
        raise refuse("CSC-E3687", "unknown parent code", "parent", parent)
    made = InductiveCode.objects.create(
        code_id=code_id, title=title, definition=definition, parent=parent, added_by=actor
    )
    audit_record(
        actor=actor_name(actor),
        action="interview_code.add",
        object_type="interview_code",
        object_id=code_id,
        new_values={"title": title, "parent": parent},
    )
    return made


def memo_target_known(actor: Any, transcript: Transcript, kind: str, target_id: str) -> bool:
    """Whether a new memo's target is this transcript, a code, or a coding the actor sees."""
    if kind == "source":
        return target_id == str(transcript.pk)
    if kind == "code":
        return target_id in code_ids(codable_only=False)
    if kind == "coding" and target_id.isdigit():
        return visible_codings(actor, transcript).filter(pk=int(target_id)).exists()
    return False


@transaction.atomic
def memo_save(
    *,
    actor: Any,
    transcript: Transcript,
    target_kind: str,
    target_id: str,
    text: str,
    memo: Memo | None = None,
    version: int | None = None,
) -> Memo:
    """Write a new memo, or change one if nobody saved it since ``version`` (CSC-E3683)."""
    if memo is None:
        if not memo_target_known(actor, transcript, target_kind, target_id):
            raise refuse("CSC-E3682", "unknown memo target", "target", target_kind)
        memo = Memo.objects.create(
            transcript=transcript,
            target_kind=target_kind,
            target_id=target_id,
            author=actor,
            text=text,
        )
        action, old = "interview_memo.add", None
    else:
        old = {"text_chars": len(memo.text), "version": memo.version}
        changed = Memo.objects.filter(pk=memo.pk, version=version).update(
            text=text, version=F("version") + 1, author=actor
        )
        if not changed:
            raise refuse(
                "CSC-E3683",
                "someone else saved this memo after you opened it",
                "text",
                fix="copy your text, reload the memo and merge",
            )
        memo.refresh_from_db()
        action = "interview_memo.edit"
    audit_record(
        actor=actor_name(actor),
        action=action,
        object_type="interview_memo",
        object_id=f"{transcript.interview.interview_id}/{memo.pk}",
        old_values=old,
        new_values={
            "target": f"{memo.target_kind}:{memo.target_id}",
            "text_chars": len(text),
            "version": memo.version,
        },
    )
    return memo


@transaction.atomic
def assign_share(
    *, actor: Any, transcripts: Iterable[Transcript], share: int, first: Any, second: Any
) -> list[Transcript]:
    """Assign ``share`` % (rounded up) of the transcripts nobody has coded to two coders."""
    if first.pk == second.pk:
        raise refuse("CSC-E3685", "choose two different coders", "second")
    free = [t for t in transcripts if not t.double and not t.codings.exists()]
    n = min(len(free), -(-len(free) * share // 100))
    chosen = sorted(secrets.SystemRandom().sample(free, n), key=lambda t: t.pk)
    for t in chosen:
        Transcript.objects.filter(pk=t.pk).update(first_coder=first, second_coder=second)
        audit_record(
            actor=actor_name(actor),
            action="interview.double_assign",
            object_type="interview",
            object_id=t.interview.interview_id,
            new_values={"first": first.get_username(), "second": second.get_username()},
        )
    return chosen


@transaction.atomic
def mark_done(*, actor: Any, transcript: Transcript) -> None:
    """The coder's blind pass is complete (their codings are then fixed)."""
    transcript = Transcript.objects.select_for_update().get(pk=transcript.pk)
    which = coder_pass(actor, transcript) if transcript.double else ""
    if not which:
        raise refuse("CSC-E3685", "the transcript is not double coded")
    Transcript.objects.filter(pk=transcript.pk).update(**{f"{which}_done": True})
    audit_record(
        actor=actor_name(actor),
        action="interview.coding_done",
        object_type="interview",
        object_id=transcript.interview.interview_id,
        new_values={"pass": which},
    )


@transaction.atomic
def reconcile(*, actor: Any, transcript: Transcript, keep: Mapping[tuple[int, str], bool]) -> int:
    """Record a decision on every disagreement and store the agreed codings; how many."""
    transcript = Transcript.objects.select_for_update().get(pk=transcript.pk)
    if not (transcript.double and transcript.first_done and transcript.second_done):
        raise refuse("CSC-E3685", "both coders must mark the transcript done first")
    if transcript.reconciled:
        raise refuse("CSC-E3685", "the transcript is already reconciled")
    rows = disagreements(transcript)
    differ = {(int(t), str(c)) for t, c in zip(rows["turn"], rows["code"], strict=True)}
    if set(keep) != differ:
        raise refuse("CSC-E3685", "decide every disagreement", "keep")
    reconciler = coder_pseudonym(actor.pk)
    decisions = pd.DataFrame(
        [
            (transcript.interview.interview_id, t, code, "apply" if k else "omit", reconciler)
            for (t, code), k in sorted(keep.items())
        ],
        columns=DECISION_COLUMNS,
    )
    agreed = strand_reconcile(codings_frame(transcript), decisions).codings
    texts = {t.number: t.text for t in transcript.turns.all()}
    for row in agreed.to_dict("records"):
        turn, text = int(row["first_turn"]), texts[int(row["first_turn"])]
        start = 0 if pd.isna(row["start_char"]) else int(row["start_char"])
        end = len(text) if pd.isna(row["end_char"]) else int(row["end_char"])
        Coding.objects.create(
            transcript=transcript,
            coder_id=int(str(row["coder"])[2:]),
            coding_pass="reconciled",
            turn=turn,
            start=start,
            end=end,
            text=text[start:end],
            code=row["code"],
        )
    made = len(agreed)
    Decision.objects.bulk_create(
        Decision(transcript=transcript, turn=t, code=code, keep=k, decided_by=actor)
        for (t, code), k in keep.items()
    )
    Transcript.objects.filter(pk=transcript.pk).update(reconciled=True)
    audit_record(
        actor=actor_name(actor),
        action="interview.reconcile",
        object_type="interview",
        object_id=transcript.interview.interview_id,
        new_values={
            "decisions": {
                f"{t}:{c}": "keep" if k else "drop" for (t, c), k in sorted(keep.items())
            },
            "agreed_codings": made,
        },
    )
    return made
