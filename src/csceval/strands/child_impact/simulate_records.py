"""The records of a simulated LA: episodes, plans and periods of care from the index draws.

Each index referral (:mod:`csceval.strands.child_impact.simulate_model`) becomes a CIN episode
with an assessment (unless closed with no further action) and its factors; its outcomes become
events within 12 months: a re-referral (a short second episode 30-364 days later), a section 47
enquiry, conference and child protection plan (starting within 50 days), an entry to care
(an SSDA903 episode starting 10-330 days later, ending in permanence 120-700 days later or
in a return home). Children come back for a new index referral
380-700 days after the last event of the previous one, so every follow-up window is clean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csceval.strands.child_impact.simulate_model import (
    FACTOR_SHARES,
    OUTCOMES,
    PERMANENCE_CODES,
    RETURN_PROBABILITY,
    ChildWorldSpec,
    IndexReferrals,
    LaModel,
    window,
)

ETHNICITIES = ("WBRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "BCRB", "CHNE", "OOTH")
ETHNICITY_SHARES = (0.62, 0.06, 0.05, 0.04, 0.05, 0.06, 0.04, 0.01, 0.07)
GENERATIONS = 4


@dataclass(frozen=True)
class LaRecords:
    """One simulated LA over all its years (dates are ``datetime64[D]``; NaT when none)."""

    la_code: str
    children: pd.DataFrame  # child, dob, sex (M/F), ethnicity, disabled
    episodes: pd.DataFrame  # child, ref, close, nfa, need, assessed, authorised, factors,
    # s47, icpc, cpp_start, cpp_end, cpp_previous
    care: pd.DataFrame  # child, decom, dec, rec (REC: E13 home, or a permanence code)
    index: pd.DataFrame  # child, ref, treated, <outcome>, effect_<outcome>, prior_cpp, history,
    # decom


def _days(rng: np.random.Generator, lo: int, hi: int, n: int) -> np.ndarray:
    return rng.integers(lo, hi + 1, n).astype("m8[D]")


def _nat(n: int) -> np.ndarray:
    return np.full(n, np.datetime64("NaT"), "M8[D]")


def _events(
    model: LaModel, g: IndexReferrals
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """The generation's episodes, periods of care, each child's last event and entry to care."""
    rng, n = model.rng, len(g.ref)
    rr, cpp, cla = (g.outcome[o] for o in OUTCOMES)
    s47 = np.where(cpp, g.ref + _days(rng, 2, 30, n), _nat(n))
    icpc = s47 + _days(rng, 7, 20, n)
    plan_end = icpc + _days(rng, 90, 600, n)
    decom = np.where(cla, g.ref + _days(rng, 10, 330, n), _nat(n))
    dec = decom + _days(rng, 60, 900, n)
    nfa = ~cpp & ~cla & (rng.random(n) < 0.15)
    close = np.fmax(
        np.fmax(g.ref + _days(rng, 30, 250, n), plan_end + _days(rng, 1, 30, n)),
        decom + np.timedelta64(30, "D"),
    )
    close = np.where(nfa, g.ref, close)
    assessed = np.where(nfa, _nat(n), g.ref + _days(rng, 0, 5, n))
    codes = np.array(list(FACTOR_SHARES))
    factors = ["|".join(codes[row]) or "21" for row in g.factors]
    main = pd.DataFrame(
        {
            "child": g.child,
            "ref": g.ref,
            "close": close,
            "nfa": nfa,
            "need": g.need,
            "assessed": assessed,
            "authorised": assessed + _days(rng, 10, 60, n),
            "factors": np.where(nfa, "", factors),
            "s47": s47,
            "icpc": icpc,
            "cpp_start": icpc,
            "cpp_end": plan_end,
            "cpp_previous": g.any_prior_cpp.astype(int),
        }
    )
    again = g.ref + _days(rng, 30, 364, n)
    second_nfa = rng.random(n) < 0.3
    second_close = np.where(second_nfa, again, again + _days(rng, 5, 60, n))
    nat = _nat(int(rr.sum()))
    second = pd.DataFrame(
        {
            "child": g.child[rr],
            "ref": again[rr],
            "close": second_close[rr],
            "nfa": second_nfa[rr],
            "need": g.need[rr],
            "assessed": nat,
            "authorised": nat,
            "factors": "",
            "s47": nat,
            "icpc": nat,
            "cpp_start": nat,
            "cpp_end": nat,
            "cpp_previous": 0,
        }
    )
    permanent = g.outcome["permanence_24m"]
    prng = model.permanence_rng
    dec = np.where(permanent, decom + _days(prng, 120, 700, n), dec)
    rec = np.where(permanent, prng.choice(np.array(PERMANENCE_CODES), n), "E13")
    care = pd.DataFrame(
        {"child": g.child[cla], "decom": decom[cla], "dec": dec[cla], "rec": rec[cla]}
    )
    last = np.fmax(np.fmax(close, np.where(rr, second_close, close)), dec)
    return pd.concat([main, second], ignore_index=True), care, last, decom


def _index_frame(g: IndexReferrals, decom: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "child": g.child,
            "ref": g.ref,
            "treated": g.treated,
            "prior_cpp": g.prior_cpp,
            "history": g.history,
        }
    )
    for o in (*OUTCOMES, "permanence_24m"):
        frame[o] = g.outcome[o]
        frame[f"effect_{o}"] = g.effect[o]
    frame["decom"] = decom
    return frame


def simulate_la(spec: ChildWorldSpec, la_code: str) -> LaRecords:
    """Every record of one LA over ``spec.years`` (its own random stream)."""
    model = LaModel(spec, la_code)
    g = model.new_children()
    n_children = len(g.child)
    rng = model.rng
    children = pd.DataFrame(
        {
            "child": g.child,
            "dob": g.dob,
            "sex": rng.choice(np.array(["M", "F"]), n_children),
            "ethnicity": rng.choice(np.array(ETHNICITIES), n_children, p=ETHNICITY_SHARES),
            "disabled": rng.random(n_children) < 0.06,
        }
    )
    end = window(spec.years[-1])[1]
    episodes, care, index = [], [], []
    for _ in range(GENERATIONS):
        if not len(g.ref):
            break
        model.draw(g)
        ep, ca, last, decom = _events(model, g)
        episodes.append(ep)
        care.append(ca)
        index.append(_index_frame(g, decom))
        back = ~g.outcome["cla_12m"] & (rng.random(len(g.ref)) < RETURN_PROBABILITY)
        nxt = g.take(back)
        nxt.ref = last[back] + _days(rng, 380, 700, int(back.sum()))
        nxt.prior_referral = np.ones(len(nxt.ref), bool)
        nxt.prior_cpp = g.prior_cpp[back] | g.outcome["cpp_12m"][back]
        adult = (nxt.ref - nxt.dob).astype(int) >= 17 * 365.25
        g = nxt.take((nxt.ref <= end) & ~adult)
    return LaRecords(
        la_code,
        children,
        pd.concat(episodes, ignore_index=True).sort_values(["child", "ref"], kind="stable"),
        pd.concat(care, ignore_index=True),
        pd.concat(index, ignore_index=True),
    )
