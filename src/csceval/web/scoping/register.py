"""The framework register in the database: read it as a table, change it by new versions.

Every write here runs in one transaction with its audit-trail record. An episode is never
overwritten: :func:`episode_change` supersedes the current version and writes the next one (see
:mod:`csceval.web.scoping.models`). :func:`apply_register` turns a whole new register (from the
review of a survey response, or from an imported project) into the versions that differ.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from csceval.project.register import COLUMNS, check_register
from csceval.web.audit_trail.services import audit_record
from csceval.web.scoping.models import RegisterEpisode

DATES = ("started", "ended", "recorded")


def actor_name(user: Any) -> str:
    """The audit trail's name for ``user`` (a username, or a system actor's name)."""
    return user if isinstance(user, str) else str(user.get_username())


def as_date(value: object) -> date | None:
    """A register date cell (date, timestamp, ISO text, or missing) as a date or None."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    return date.fromisoformat(text[:10]) if text else None


def clean_values(values: Mapping[str, object]) -> dict[str, Any]:
    """A register row's values in the model's types (dates, text with '' for missing)."""
    out: dict[str, Any] = {}
    for column in COLUMNS:
        value = values.get(column)
        if column in DATES:
            out[column] = as_date(value)
        else:
            missing = value is None or (isinstance(value, float) and math.isnan(value))
            out[column] = "" if missing else str(value)
    return out


def row_key(values: Mapping[str, object]) -> tuple[str, ...]:
    """A row's values as text, for telling identical rows apart from changed ones."""
    cleaned = clean_values(values)
    return tuple("" if cleaned[c] is None else str(cleaned[c]) for c in COLUMNS)


def current_episodes(la_code: str | None = None) -> Any:
    """The current register's versions (not superseded, not withdrawn), optionally one LA's."""
    found = RegisterEpisode.objects.filter(superseded_at__isnull=True, withdrawn=False)
    return found.filter(la_code=la_code) if la_code is not None else found


def register_frame(episodes: Iterable[RegisterEpisode] | None = None) -> pd.DataFrame:
    """The register as the core reads it (its columns), plus each row's ``episode`` id."""
    chosen = current_episodes() if episodes is None else episodes
    rows = [{**e.register_values(), "episode": str(e.episode)} for e in chosen]
    return pd.DataFrame(rows, columns=[*COLUMNS, "episode"])


def register_problems(frame: pd.DataFrame, known_las: set[str], episode: str) -> list[str]:
    """Coded problems the register ``frame`` has with the row of ``episode`` (E2010/21/22)."""
    rows = frame.reset_index(drop=True)
    mine = {i + 2 for i in rows.index[rows["episode"] == episode]}  # CSV row numbers
    messages = []
    for problem in check_register(rows[list(COLUMNS)], known_las):
        overlap = problem.code == "CSC-E2022"
        named = overlap and any(f"row {r} " in problem.message for r in mine)
        if (problem.row or 0) not in mine and not named:
            continue
        text = "the dates overlap another episode of this framework" if overlap else problem.message
        messages.append(f"{problem.code}: {text}; {problem.fix}")
    return messages


def _version(
    *, previous: RegisterEpisode | None, values: Mapping[str, Any], actor: str, reason: str,
    withdrawn: bool = False, now: datetime,
) -> RegisterEpisode:  # fmt: skip
    fields = clean_values(values)
    if previous is not None:
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at"])
    return RegisterEpisode.objects.create(
        **({"episode": previous.episode, "version": previous.version + 1} if previous else {}),
        **fields,
        withdrawn=withdrawn,
        reason=reason[:500],
        changed_by=actor[:150],
        changed_at=now,
    )


@transaction.atomic
def episode_add(*, actor: Any, values: Mapping[str, object], reason: str) -> RegisterEpisode:
    """Begin a new episode in the register."""
    created = _version(
        previous=None, values=values, actor=actor_name(actor), reason=reason, now=timezone.now()
    )
    audit_record(
        actor=actor_name(actor),
        action="scoping.episode_add",
        object_type="register_episode",
        object_id=str(created.episode),
        new_values={**created.audit_values(), "reason": reason},
    )
    return created


@transaction.atomic
def episode_change(
    *, actor: Any, episode: RegisterEpisode, values: Mapping[str, object] | None, reason: str
) -> RegisterEpisode:
    """Write the episode's next version (``values`` None: withdraw it, recorded in error)."""
    current = RegisterEpisode.objects.select_for_update().get(pk=episode.pk)
    if current.superseded_at is not None or current.withdrawn:
        raise ValueError("only the current version of an episode can be changed")
    withdrawn = values is None
    new = _version(
        previous=current,
        values=current.register_values() if values is None else values,
        actor=actor_name(actor),
        reason=reason,
        withdrawn=withdrawn,
        now=timezone.now(),
    )
    audit_record(
        actor=actor_name(actor),
        action="scoping.episode_withdraw" if withdrawn else "scoping.episode_change",
        object_type="register_episode",
        object_id=str(new.episode),
        old_values=current.audit_values(),
        new_values={**new.audit_values(), "reason": reason},
    )
    return new


def _pairs(
    gone: list[RegisterEpisode], added: list[dict[str, Any]]
) -> tuple[
    list[tuple[RegisterEpisode, dict[str, Any]]], list[RegisterEpisode], list[dict[str, Any]]
]:
    """Changed episodes (old version, new values) matched by LA and framework; the rest."""
    pairs, left = [], list(added)
    unmatched = []
    for old in sorted(gone, key=lambda e: (e.la_code, e.framework, str(e.started or ""))):
        same = next(
            (
                r
                for r in left
                if r["la_code"] == old.la_code
                and r["framework"].casefold() == old.framework.casefold()
            ),
            None,
        )
        if same is None:
            unmatched.append(old)
        else:
            left.remove(same)
            pairs.append((old, same))
    return pairs, unmatched, left


def apply_register(
    *, actor: Any, new: pd.DataFrame, reason: str, la_codes: set[str] | None = None
) -> list[str]:
    """Make the current register equal ``new`` (the schema's columns), by new versions.

    Only the LAs in ``la_codes`` are compared (None: every LA). Unchanged rows are left alone;
    a changed row supersedes the current episode of the same LA and framework; a row with no
    such episode begins a new one; a current episode with no row is withdrawn. Must run inside
    the caller's transaction; returns one plain-English line per change.
    """
    now = timezone.now()
    name = actor_name(actor)
    current = list(current_episodes().select_for_update())
    if la_codes is not None:
        current = [e for e in current if e.la_code in la_codes]
    rows = [
        clean_values({str(k): v for k, v in r.items()})
        for r in new[list(COLUMNS)].to_dict("records")
    ]
    if la_codes is not None:
        rows = [r for r in rows if r["la_code"] in la_codes]
    remaining: dict[tuple[str, ...], list[RegisterEpisode]] = {}
    for episode in current:
        remaining.setdefault(row_key(episode.register_values()), []).append(episode)
    added = []
    for row in rows:
        same = remaining.get(row_key(row))
        if same:
            same.pop()
        else:
            added.append(row)
    gone = [e for group in remaining.values() for e in group]
    pairs, withdrawn, begun = _pairs(gone, added)
    changes = []
    for old, values in pairs:
        new_version = _version(previous=old, values=values, actor=name, reason=reason, now=now)
        changes.append(_audit_change(name, old, new_version, reason, "scoping.episode_change"))
    for old in withdrawn:
        new_version = _version(
            previous=old, values=old.register_values(), actor=name, reason=reason,
            withdrawn=True, now=now,
        )  # fmt: skip
        changes.append(_audit_change(name, old, new_version, reason, "scoping.episode_withdraw"))
    for values in begun:
        created = _version(previous=None, values=values, actor=name, reason=reason, now=now)
        audit_record(
            actor=name,
            action="scoping.episode_add",
            object_type="register_episode",
            object_id=str(created.episode),
            new_values={**created.audit_values(), "reason": reason},
        )
        changes.append(f"{created.la_code}: {created.framework} added")
    return changes


def _audit_change(
    actor: str, old: RegisterEpisode, new: RegisterEpisode, reason: str, action: str
) -> str:
    audit_record(
        actor=actor,
        action=action,
        object_type="register_episode",
        object_id=str(new.episode),
        old_values=old.audit_values(),
        new_values={**new.audit_values(), "reason": reason},
    )
    verb = "withdrawn" if new.withdrawn else "ended" if new.ended and not old.ended else "changed"
    return f"{new.la_code}: {new.framework} {verb}"
