"""The scoping survey: responses read as register rows, progress by region, reminders.

Notes
-----
The review step (:func:`review_responses`) is pure: it takes the register and the responses and
returns the new register. Only ``accepted`` responses count; when an LA sent several, the one
received last wins. For each framework the response names, the LA's open episode of it (no
``ended``) is updated (extent, training, licensing; source ``survey``; confidence ``high``, since
the LA itself confirmed it; ``started`` from ``since`` when the register did not know it), or a
new episode begins at ``since``. An open episode of a framework the response no longer names is
closed on the day before the response was received (the latest day the LA can be taken to have
used it; confidence ``medium``), unless it began after that day. ``none`` names no framework.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from csceval.project.register import COLUMNS

SINCE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def parse_since(text: str) -> tuple[date, str] | None:
    """``2016`` (a year ending 31 March: 1 April 2015), ``2016-04`` or ``2016-04-01``, with its
    precision; None when empty. Raises ValueError when it is none of these."""
    text = text.strip()
    if not text:
        return None
    match = SINCE.match(text)
    if match is None:
        raise ValueError(text)
    year, month, day = match.groups()
    if month is None:
        return date(int(year) - 1, 4, 1), "year"
    if day is None:
        return date(int(year), int(month), 1), "month"
    return date.fromisoformat(text), "day"


def framework_list(text: str) -> list[str]:
    """The frameworks a response names (``none`` names none), in the order written."""
    names = [part.strip() for part in str(text).split(";")]
    return [n for n in names if n and n.casefold() != "none"]


@dataclass(frozen=True)
class Review:
    """The register after the review, and what changed (one plain-English line per change)."""

    register: pd.DataFrame
    changes: tuple[str, ...]


def _latest_accepted(responses: pd.DataFrame) -> pd.DataFrame:
    accepted = responses[responses["review_status"] == "accepted"]
    ordered = accepted.assign(_day=pd.to_datetime(accepted["received"]))
    return ordered.sort_values(["la_code", "_day", "response_id"]).drop_duplicates(
        "la_code", keep="last"
    )


def review_responses(register: pd.DataFrame, responses: pd.DataFrame) -> Review:
    """The register with every accepted response applied (see the module's Notes)."""
    rows = [dict(zip(COLUMNS, values, strict=True)) for values in register[list(COLUMNS)].values]
    changes: list[str] = []
    for response in _latest_accepted(responses).to_dict("records"):
        code, received = str(response["la_code"]), response["received"]
        named = framework_list(response["frameworks"])
        since = parse_since(str(response["since"] or ""))
        recorded = response["reviewed"] or received
        update = {
            "extent": response["extent"],
            "training": response["training"],
            "licensing": response["licensing"],
            "source": "survey",
            "confidence": "high",
            "recorded": recorded,
        }
        open_rows = [r for r in rows if r["la_code"] == code and not _given(r["ended"])]
        for framework in named:
            match = [r for r in open_rows if str(r["framework"]).casefold() == framework.casefold()]
            if match:
                match[0].update(update)
                if since and not _given(match[0]["started"]):
                    match[0]["started"], match[0]["precision"] = since
                changes.append(f"{code}: {framework} confirmed")
            else:
                started, precision = since if since else (None, None)
                rows.append(
                    {
                        "la_code": code,
                        "framework": framework,
                        "started": started,
                        "ended": None,
                        "precision": precision,
                        **update,
                    }
                )
                changes.append(f"{code}: {framework} added")
        wanted = {f.casefold() for f in named}
        for row in open_rows:
            last_day = received - timedelta(days=1)
            started = row["started"]
            if str(row["framework"]).casefold() in wanted:
                continue
            if _given(started) and started > last_day:
                continue
            row.update(ended=last_day, confidence="medium", recorded=recorded)
            changes.append(f"{code}: {row['framework']} ended by {received.isoformat()}")
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame = frame.assign(_start=pd.to_datetime(frame["started"]))
    frame = frame.sort_values(["la_code", "framework", "_start"], na_position="first")
    return Review(frame.drop(columns="_start").reset_index(drop=True), tuple(changes))


def _given(value: object) -> bool:
    return (
        value is not None
        and not (isinstance(value, float) and math.isnan(value))
        and (value is not pd.NaT)
    )


def progress_by_region(las: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """By region: LAs, LAs that responded, responses accepted and awaiting review.

    ``las`` has ``la_code`` and ``region_name``; the last row is England.
    """
    responded = set(responses["la_code"].astype(str))
    status = _latest_status(responses)
    frame = las.assign(
        responded=las["la_code"].isin(responded),
        accepted=las["la_code"].map(status).eq("accepted"),
        pending=las["la_code"].map(status).isin(["pending", "query"]),
    )
    counts = frame.groupby("region_name", sort=True).agg(
        las=("la_code", "size"),
        responded=("responded", "sum"),
        accepted=("accepted", "sum"),
        awaiting_review=("pending", "sum"),
    )
    counts.loc["England"] = counts.sum()
    counts["response_rate"] = 100 * counts["responded"] / counts["las"]
    return counts.rename_axis("region").reset_index()


def _latest_status(responses: pd.DataFrame) -> dict[str, str]:
    ordered = responses.assign(_day=pd.to_datetime(responses["received"]))
    latest = ordered.sort_values(["la_code", "_day", "response_id"]).drop_duplicates(
        "la_code", keep="last"
    )
    return dict(zip(latest["la_code"].astype(str), latest["review_status"], strict=True))


def reminders(las: pd.DataFrame, responses: pd.DataFrame) -> pd.DataFrame:
    """LAs with no response, by region and name (``la_code, la_name, region_name``)."""
    missing = las[~las["la_code"].isin(set(responses["la_code"].astype(str)))]
    return missing.sort_values(["region_name", "la_name"])[
        ["la_code", "la_name", "region_name"]
    ].reset_index(drop=True)
