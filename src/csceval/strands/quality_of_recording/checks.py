"""Cross-table rules for ``data/case_samples.csv`` and ``data/case_audits.csv``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pandas as pd

from csceval.errors import Problem
from csceval.project.settings import EvaluationSettings
from csceval.strands.quality_of_recording.instrument import builtin_instruments

AUDITS = "data/case_audits.csv"
SAMPLES = "data/case_samples.csv"


def _sites_and_times(
    settings: EvaluationSettings, frame: pd.DataFrame, file: str
) -> Iterator[Problem]:
    sites = {s.la_code for s in settings.sites}
    times = {tp.id for tp in settings.periods.time_points}
    for i, row in frame.reset_index(drop=True).iterrows():
        if str(row["la_code"]) not in sites:
            yield Problem(
                "CSC-E3234",
                "the LA is not one of the evaluation's sites",
                file=file,
                row=int(str(i)) + 2,
                column="la_code",
                value=str(row["la_code"]),
                fix="add the LA to [[sites]] in evaluation.toml",
            )
        if str(row["time_point"]) not in times:
            yield Problem(
                "CSC-E3234",
                "unknown time point",
                file=file,
                row=int(str(i)) + 2,
                column="time_point",
                value=str(row["time_point"]),
                fix=f"use one of {sorted(times)} (periods.time_points)",
            )


def _audit_rows(audits: pd.DataFrame, samples: pd.DataFrame) -> Iterator[Problem]:
    known = builtin_instruments()
    sampled = set(
        samples.loc[samples["status"].isin(["sampled", "used"]), ["la_code", "time_point",
                    "pseudonym"]].astype(str).itertuples(index=False, name=None)
    )  # fmt: skip
    rows = audits.reset_index(drop=True).astype(str)
    for i, row in rows.iterrows():
        line = int(str(i)) + 2
        ins = known.get((row["instrument"], row["instrument_version"]))
        if ins is None:
            yield Problem(
                "CSC-E3231",
                "unknown instrument or version",
                file=AUDITS,
                row=line,
                column="instrument",
                value=f"{row['instrument']} {row['instrument_version']}",
                fix=f"use one of {sorted(' '.join(k) for k in known)}",
            )
            continue
        if row["item"] not in ins.item_ids:
            yield Problem(
                "CSC-E3232",
                f"the item is not in {ins.id} {ins.version}",
                file=AUDITS,
                row=line,
                column="item",
                value=row["item"],
            )
            continue
        _, _, scale = ins.item(row["item"])
        value = row["value"].strip().lower()
        if scale.kind != "free_text" and value not in scale.allowed():
            yield Problem(
                "CSC-E3233",
                "the answer is not on the item's scale",
                file=AUDITS,
                row=line,
                column="value",
                value=row["value"],
                fix=f"use one of {', '.join(scale.allowed())}",
            )
        key = (row["la_code"], row["time_point"], row["pseudonym"])
        if sampled and key not in sampled:
            yield Problem(
                "CSC-E3235",
                "the case is not a sampled case of this site and time point",
                file=AUDITS,
                row=line,
                column="pseudonym",
                value=row["pseudonym"],
            )
    kinds = rows.assign(
        kind=rows["reconciled"]
        .map({"true": "reconciled"})
        .fillna(rows["is_second_rating"].map({"true": "second", "false": "first"}))
    )
    dupes = kinds.duplicated(["la_code", "time_point", "pseudonym", "item", "kind"], keep="first")
    for i in kinds.index[dupes]:
        yield Problem(
            "CSC-E3236",
            f"a second {kinds.at[i, 'kind']} rating of the same item of the same case",
            file=AUDITS,
            row=int(i) + 2,
            column="item",
            value=str(kinds.at[i, "item"]),
            fix="keep one first, one second and one reconciled rating per case and item",
        )


def check_case_audit_tables(
    settings: EvaluationSettings, tables: Mapping[str, pd.DataFrame]
) -> list[Problem]:
    """Problems in the case samples and audits (none when both tables are absent)."""
    samples = tables.get("case_samples", pd.DataFrame())
    audits = tables.get("case_audits", pd.DataFrame())
    problems: list[Problem] = []
    if not samples.empty:
        problems += _sites_and_times(settings, samples, SAMPLES)
    if not audits.empty:
        problems += _sites_and_times(settings, audits, AUDITS)
        problems += _audit_rows(audits, samples if not samples.empty else _no_samples())
    return problems


def _no_samples() -> pd.DataFrame:
    return pd.DataFrame(columns=["la_code", "time_point", "pseudonym", "status"])
