"""Interviews: recall of planted identifiers by de-identification, by kind, on many transcripts.

Each synthetic transcript (:func:`csceval.strands.interviews.plants.planted_transcript`: the
simulator's invented names and places, and emails, phone numbers, postcodes, dates of birth, NHS
numbers, case numbers and addresses in the shapes people write them) goes through the same
de-identification as an upload; an identifier is missed when any part of it (three characters
or more) is left as a word in the stored turn. Also counts replacements beyond the planted ones
(over-redaction), by kind.

Run: .venv/bin/python benchmarks/interviews_deidentify_recall.py [--transcripts 2000]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np

from csceval.strands.interviews.names import NameLists
from csceval.strands.interviews.plants import KINDS, missed, planted_transcript
from csceval.strands.interviews.simulate import PEOPLE, PLACES
from csceval.strands.interviews.store import deidentify_turns

AS_RECORDED = {"date_of_birth": "date"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20180)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    planted_n: Counter[str] = Counter()
    missed_n: Counter[str] = Counter()
    replaced: Counter[str] = Counter()
    started = time.perf_counter()
    for k in range(args.transcripts):
        turns, planted = planted_transcript(rng)
        stored = deidentify_turns(
            f"T-{k}", turns, NameLists(PEOPLE, PLACES), {"Interviewer": "I-1"}
        )
        texts = dict(zip(stored.turns["turn"], stored.turns["text"], strict=True))
        planted_n.update(p.kind for p in planted)
        missed_n.update(p.kind for p in missed(planted, texts))
        for kind, n in stored.redactions.groupby("kind")["count"].sum().items():
            replaced[str(kind)] += int(n)
    print("| kind | planted | missed | recall | replaced |")
    print("|---|---:|---:|---:|---:|")
    for kind in KINDS:
        n, m = planted_n[kind], missed_n[kind]
        print(f"| {kind} | {n} | {m} | {1 - m / n:.4f} | {replaced[AS_RECORDED.get(kind, kind)]} |")
    total, lost = sum(planted_n.values()), sum(missed_n.values())
    print(f"| all | {total} | {lost} | {1 - lost / total:.4f} | {sum(replaced.values())} |")
    print(f"\n{args.transcripts} transcripts, seed {args.seed}, "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
