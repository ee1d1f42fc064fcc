"""Synthetic interviews and focus groups with a known truth (invented text, clearly marked).

For up to five pilots and each time point: an interview with a senior leader, one with a
manager and two focus groups of seven practitioners (one a practice lead). Each participant
mentions each simulated code with probability ``base + site offset`` at T1, plus ``gain`` at
T2; a mention is one turn built from a template sentence (every turn starts ``[SYNTHETIC]``).
A share of turns has planted identifiers (invented names of people and places, emails, phone
numbers in Ofcom's drama range, postcodes, dates), which pass through the same
de-identification as an upload before anything is written. Coder C-01 codes every transcript
and C-02 every second one, blind; each misreads each (turn, code) with probability ``error``,
so their expected percent agreement is ``(1 - e)^2 + e^2``; reconciled codings of double-coded
transcripts are the truth. One focus group member withdraws consent at T2. Memos: one per
code, one on the first transcript and one naming the withdrawn participant (no random draws).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csceval.simulate.pilots import TIME_POINTS
from csceval.simulate.rng import stream
from csceval.simulate.world import World
from csceval.strands.interviews.names import NameLists
from csceval.strands.interviews.store import deidentify_turns, table_csv
from csceval.strands.interviews.tables import (
    ATTENDANCE,
    CODINGS,
    CONSENTS,
    INTERVIEWS,
    MEMOS,
    PARTICIPANTS,
    RECONCILIATIONS,
    REDACTIONS,
    TURNS,
)
from csceval.strands.interviews.transcripts import Turn

TEMPLATES: dict[str, tuple[str, ...]] = {
    "trained-workforce": (
        "The five-day course gave me the words to use with parents.",
        "I still feel I need more coaching before I am confident with it.",
    ),
    "practice-tools": (
        "We use the three columns mapping on nearly every visit now.",
        "The words and pictures tool is the one I reach for with younger ones.",
    ),
    "collaborative-assessment": (
        "We worked out the worries together with mum at the table.",
        "The assessment felt like something we did with the family.",
    ),
    "child-voice": (
        "The young person drew their own three houses and it changed the plan.",
        "We now ask children what they want before the meeting, not after.",
    ),
    "aligned-supervision": (
        "My supervisor maps cases with me in the same way I map with families.",
        "Supervision still feels like a checklist rather than the approach.",
    ),
    "practice-leads": (
        "Our practice lead came out with me to a difficult network meeting.",
        "Having a practice lead on the team means someone to ask on the spot.",
    ),
    "leadership-commitment": (
        "The director talks about the approach at every staff briefing.",
        "Members have signed off the funding for another three years.",
    ),
    "aligned-systems": (
        "The new assessment form finally follows the mapping headings.",
        "The recording system still fights against the way we want to write.",
    ),
}
NEUTRAL = (
    "I have worked in this service for a few years now.",
    "It has been a busy year for the whole team.",
)
PEOPLE = ("Marnie Oakhurst", "Devlin Tillbrook", "Priya Castellane", "Oswin Farrowdale")
PLACES = ("Fernleigh", "Ashcombe Road", "Wrenmoor")
PLANTS = (
    "I went through it with {person} at {place}.",
    "You can email {email} about it.",
    "Ring me on {phone} if needed.",
    "The office is at {postcode}.",
    "We met on {date} to review it.",
    "The family moved to {address} last month.",
)
ROLES = ("senior_leader", "manager")


@dataclass(frozen=True)
class InterviewConfig:
    """Settings of the simulation."""

    sites: int = 5
    focus_groups: int = 2
    focus_group_size: int = 7
    base: float = 0.35
    site_sd: float = 0.1
    gain: float = 0.3
    error: float = 0.03
    plant_share: float = 0.3


def _planted(rng: np.random.Generator) -> tuple[str, list[str]]:
    """An invented sentence with identifiers in it, and the kinds it plants."""
    person = str(rng.choice(PEOPLE))
    values = {
        "person": person,
        "place": str(rng.choice(PLACES)),
        "email": f"{person.split()[0].lower()}@example.org",
        "phone": "07700 900123",
        "postcode": "ZZ9 9ZZ",
        "date": "12 March 2019",
        "address": "14 Hollin Road",
    }
    template = str(rng.choice(PLANTS))
    return template.format(**values), [k for k in values if "{" + k + "}" in template]


@dataclass
class _Sim:
    config: InterviewConfig
    rows: dict[str, list[dict[str, object]]]
    mentions: list[dict[str, object]]
    planted: list[str]
    withdrawn: str = ""


def _session(
    sim: _Sim, rng: np.random.Generator, iid: str, people: list[str], prevalence: dict[str, float]
) -> list[Turn]:
    turns: list[Turn] = []
    truth: list[set[str]] = []
    for person in people:
        mentioned = [c for c in TEMPLATES if rng.random() < prevalence[c]]
        for code in mentioned or ["-"]:
            turns.append(Turn("I-01", "[SYNTHETIC] Can you tell me more about that?"))
            truth.append(set())
            text = str(rng.choice(TEMPLATES.get(code, NEUTRAL)))
            if rng.random() < sim.config.plant_share:
                plant, kinds = _planted(rng)
                text = f"{text} {plant}"
                sim.planted += kinds
            turns.append(Turn(person, f"[SYNTHETIC] {text}"))
            truth.append({code} - {"-"})
            if code != "-":
                sim.mentions.append({"interview_id": iid, "participant": person, "code": code})
    double = int(iid[-1]) % 2 == 1
    for coder, pass_ in (("C-01", "first"), ("C-02", "second"), ("C-01", "reconciled")):
        if pass_ != "first" and not double:
            continue
        for number, codes in enumerate(truth, start=1):
            if not turns[number - 1].speaker.startswith("R-"):
                continue
            for code in TEMPLATES:
                hit = code in codes
                if pass_ != "reconciled" and rng.random() < sim.config.error:
                    hit = not hit
                if hit:
                    sim.rows["codings"].append(
                        {
                            "transcript_id": iid,
                            "first_turn": number,
                            "last_turn": number,
                            "code": code,
                            "coder": coder,
                            "pass": pass_,
                        }
                    )
    return turns


Members = list[tuple[str, str]]


def _sessions(la_code: str, tp: str, config: InterviewConfig) -> list[tuple[str, str, Members]]:
    """Interviews with a leader and a manager, then focus groups of practitioners."""
    sessions: list[tuple[str, str, Members]] = [
        (f"INT-{la_code}-{tp}-{k + 1}", "interview", [(f"R-{la_code}{tp}{k + 1:02d}", role)])
        for k, role in enumerate(ROLES)
    ]
    for g in range(config.focus_groups):
        first = len(ROLES) + g * config.focus_group_size + 1
        members = [
            (f"R-{la_code}{tp}{first + k:02d}", "practitioner" if k else "practice_lead")
            for k in range(config.focus_group_size)
        ]
        sessions.append((f"FG-{la_code}-{tp}-{len(ROLES) + g + 1}", "focus_group", members))
    return sessions


def _record(sim: _Sim, rng: np.random.Generator, row: dict[str, str], members: Members) -> None:
    sim.rows["interviews"].append({**row, "topic_guide_version": "1.0", "status": "done"})
    for person, role in members:
        sim.rows["participants"].append(
            {"participant": person, "la_code": row["la_code"], "role": role}
        )
        sim.rows["attendance"].append({"interview_id": row["interview_id"], "participant": person})
        sim.rows["consents"].append(
            {
                "participant": person,
                "form_version": "1.0",
                "consent_date": "2018-09-01",
                "scope": "analysis" if rng.random() < 0.2 else "analysis_and_quotes",
                "withdrawn_date": "2019-12-01" if person == sim.withdrawn else "",
            }
        )


def _site(sim: _Sim, seed: int, la_code: str, site_index: int) -> None:
    rng = stream(seed, "interviews", la_code)
    offset = {c: float(rng.normal(0, sim.config.site_sd)) for c in TEMPLATES}
    for t, (tp, *_rest) in enumerate(TIME_POINTS):
        prevalence = {
            c: min(1.0, max(0.0, sim.config.base + offset[c] + sim.config.gain * t))
            for c in TEMPLATES
        }
        for iid, kind, members in _sessions(la_code, tp, sim.config):
            if site_index == 0 and t == 1 and kind == "focus_group" and not sim.withdrawn:
                sim.withdrawn = members[1][0]
            row = {"interview_id": iid, "la_code": la_code, "time_point": tp, "kind": kind}
            _record(sim, rng, row, members)
            turns = _session(sim, rng, iid, [p for p, _ in members], prevalence)
            stored = deidentify_turns(iid, turns, NameLists(PEOPLE, PLACES), {})
            for key, frame in (("turns", stored.turns), ("redactions", stored.redactions)):
                sim.rows[key] += [
                    {str(k): v for k, v in r.items()} for r in frame.to_dict("records")
                ]


@functools.lru_cache(maxsize=4)
def simulate_interviews(
    seed: int, la_codes: tuple[str, ...], config: InterviewConfig | None = None
) -> _Sim:
    """The synthetic fieldwork of these sites (deterministic by seed)."""
    config = config or InterviewConfig()
    sim = _Sim(
        config,
        {
            k: []
            for k in (
                "interviews",
                "participants",
                "attendance",
                "consents",
                "turns",
                "redactions",
                "codings",
            )
        },
        [],
        [],
    )
    for index, la_code in enumerate(la_codes[: config.sites]):
        _site(sim, seed, la_code, index)
    return sim


def _sites(world: World) -> tuple[str, ...]:
    return tuple(p.la_code for p in world.design.pilots)


def _memos(sim: _Sim) -> list[dict[str, object]]:
    """A memo per code, one on the first transcript, and one about the withdrawn participant
    (so that withdrawal is seen to remove it); no random draws, so nothing else changes."""
    first = str(sim.rows["interviews"][0]["interview_id"]) if sim.rows["interviews"] else ""
    where = next(
        (str(r["interview_id"]) for r in sim.rows["attendance"]
         if r["participant"] == sim.withdrawn), first,
    )  # fmt: skip
    memos = [
        ("code", code, f"[SYNTHETIC] Watch the boundary of {code} with neighbouring codes.")
        for code in TEMPLATES
    ]
    memos += [("source", first, "[SYNTHETIC] A clear interview; little to reconcile.")]
    memos += [("source", where, f"[SYNTHETIC] {sim.withdrawn} spoke most about supervision.")]
    return [
        {"memo_id": f"M-{k:04d}", "target_kind": kind, "target_id": target, "author": "C-01",
         "text": text, "created": "2019-12-01T10:00:00Z"}
        for k, (kind, target, text) in enumerate(memos, start=1)
    ]  # fmt: skip


def interview_files(world: World) -> dict[str, str]:
    """The strand's tables in the synthetic project (already de-identified, as an import stores
    them; the invented name lists are in :data:`PEOPLE` and :data:`PLACES`, not in the project)."""
    sim = simulate_interviews(world.seed, _sites(world))
    schemas = {
        "interviews": INTERVIEWS,
        "participants": PARTICIPANTS,
        "attendance": ATTENDANCE,
        "consents": CONSENTS,
        "turns": TURNS,
        "redactions": REDACTIONS,
        "codings": CODINGS,
        "memos": MEMOS,
        "reconciliations": RECONCILIATIONS,
    }
    # No reconciliation yet: the blind second codings are left for the evaluator to reconcile.
    rows = {**sim.rows, "memos": _memos(sim), "reconciliations": []}
    files = {
        s.file: table_csv(s, pd.DataFrame(rows[k], columns=list(s.column_names)))
        for k, s in schemas.items()
    }
    return files


def interview_truth(world: World) -> dict[str, object]:
    """The ``interviews`` entry of truth.json."""
    sim = simulate_interviews(world.seed, _sites(world))
    mentions = pd.DataFrame(sim.mentions).merge(pd.DataFrame(sim.rows["interviews"]))
    mentions = mentions[mentions["participant"] != sim.withdrawn]
    counts = mentions.groupby(["code", "la_code", "time_point"])["participant"].nunique()
    e = sim.config.error
    return {
        "codes": sorted(TEMPLATES),
        "participants_mentioning": {
            f"{c}|{la}|{tp}": int(n)
            for c, la, tp, n in counts.reset_index().itertuples(index=False)
        },
        "coder_error": e,
        "expected_percent_agreement": (1 - e) ** 2 + e**2,
        "withdrawn": [sim.withdrawn],
        "planted_identifiers": len(sim.planted),
        "planted_by_kind": {k: sim.planted.count(k) for k in sorted(set(sim.planted))},
        "planted_names": sorted(set(PEOPLE) | set(PLACES)),
        "gain": sim.config.gain,
    }
