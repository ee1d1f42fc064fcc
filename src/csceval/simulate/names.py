"""Invented place names for the fictional local authorities.

Names are built from an Old-English-sounding prefix and a place-name ending ("Ashcombe",
"Brackenmoor"). Combinations that are the names of real English local authorities or districts
(checked once against the ONS LTLA/UTLA lookup and DfE's LA list) are excluded, so a synthetic LA
can never be mistaken for a real one.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

# fmt: off
PREFIXES: tuple[str, ...] = (
    "Ash", "Bracken", "Wold", "Fen", "Thorn", "Hollin", "Marl", "Kes", "Rook", "Alder", "Bram",
    "Cal", "Dun", "Elm", "Fern", "Gorse", "Hazel", "Lark", "Mere", "Nettle", "Pike", "Rush",
    "Sedge", "Tarn", "Umber", "Wren", "Yarrow", "Brock", "Crane", "Heron", "Otter", "Plover",
    "Sorrel", "Teasel", "Whin", "Birch", "Clover", "Quill", "Sallow", "Tansy", "Wyver", "Merrow",
    "Caddis", "Gannet", "Linnet", "Osier", "Pell", "Rowan", "Skerr", "Tumble", "Vell", "Wharram",
    "Cinder", "Dapple", "Ember", "Flint", "Glim", "Holly",
)
ENDINGS: tuple[str, ...] = (
    "combe", "moor", "ley", "worth", "bury", "stead", "wick", "holme", "mouth", "thorpe", "dale",
    "field", "minster", "bridge", "cliffe", "haven", "by", "wich", "ton", "hurst", "mere", "gate",
    "ford", "borough",
)
# fmt: on
REAL_NAMES = frozenset(
    {"ashfield", "ashford", "elmbridge", "rushmoor", "rushcliffe", "marlborough", "thornbury"}
)
"""Real English districts (and two well-known towns); never used."""

MAX_PER_PREFIX = 3


def place_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct invented place names, in a random order."""
    pool = [
        (p, e)
        for p in PREFIXES
        for e in ENDINGS
        if (p + e).lower() not in REAL_NAMES and p[-1] != e[0]  # no "Yarrowworth"
    ]
    used: Counter[str] = Counter()
    names: list[str] = []
    for i in rng.permutation(len(pool)):
        prefix, ending = pool[int(i)]
        if used[prefix] < MAX_PER_PREFIX:
            used[prefix] += 1
            names.append(prefix + ending)
        if len(names) == n:
            return names
    raise ValueError(f"cannot invent {n} distinct place names")
