"""Which teams may be shown on their own: at least ``k`` responses, and no way to recover a
smaller team by subtracting shown teams from their site's figures.

Rule: a team with fewer than ``k`` responses is never shown (it counts only in its site's
figures). Because a site mean is the mean of its team means, a site with exactly one hidden
team would reveal it (site mean and the other teams' means give it away); so, per site and
time point, while the hidden teams are fewer than 2 or hold fewer than ``k`` responses in all,
the smallest shown team is hidden too (complementary suppression). If that leaves no team to
hide with, every team of the site is hidden.
"""

from __future__ import annotations

import pandas as pd

MIN_TEAM_RESPONSES = 5
"""Default ``k``: fewest responses for a team to be shown on its own."""


def shown_teams(sizes: pd.DataFrame, k: int = MIN_TEAM_RESPONSES) -> set[tuple[str, str, str]]:
    """``(la_code, team, time_point)`` of the teams that may be shown.

    ``sizes`` has columns la_code, team, time_point and n (responses).
    """
    shown: set[tuple[str, str, str]] = set()
    for (code, tp), site in sizes.groupby(["la_code", "time_point"]):
        ordered = site.sort_values(["n", "team"])
        hidden = ordered[ordered["n"] < k]
        visible = ordered[ordered["n"] >= k]
        if not hidden.empty:
            while len(visible) and (len(hidden) < 2 or hidden["n"].sum() < k):
                hidden = pd.concat([hidden, visible.iloc[:1]])
                visible = visible.iloc[1:]
            if len(hidden) < 2 or hidden["n"].sum() < k:
                visible = visible.iloc[:0]
        shown.update((str(code), str(t), str(tp)) for t in visible["team"])
    return shown
