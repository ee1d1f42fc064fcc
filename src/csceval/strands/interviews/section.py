"""The report section for interviews and focus groups.

Every table goes through :func:`csceval.disclosure.protect`. Counts of people (participants by
role, participants mentioning a code) are COUNT columns, so 1 to ``min_count`` shows ``c`` and
the shares built on them are withheld too. Quotes carry a site, a time point and a role; a role
held by ``min_count`` or fewer participants at that site and time is shown as "staff member".
"""

from __future__ import annotations

import math

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.disclosure.policy import SUPPRESSED
from csceval.report.model import Block, Finding, Heatmap, Prose, Section, Series, TableBlock
from csceval.strands.interviews.analysis import InterviewsResult
from csceval.strands.interviews.tables import ROLES

SOURCE = "Project data tables data/interviews.csv, data/interview_participants.csv, "
SOURCE += "data/transcript_turns.csv and data/interview_codings.csv; analysis by csceval"
MAX_EXPORT_ROWS = 1000
COUNT, VALUE, LABEL = ColumnRole.COUNT, ColumnRole.VALUE, ColumnRole.LABEL
SITE_KEYS = ["code", "la_code", "time_point", "participants"]


def _block(
    block_id: str,
    title: str,
    frame: pd.DataFrame,
    columns: list[PublishedColumn],
    policy: DisclosurePolicy,
    caption: str,
    notes: tuple[str, ...] = (),
) -> TableBlock:
    table = protect(frame.reset_index(drop=True), TableSpec(columns=tuple(columns)), policy)
    return TableBlock(block_id, title, table, caption=caption, source=SOURCE, notes=notes)


def _site(result: InterviewsResult, code: str) -> str:
    return result.site_names.get(code, code)


def _fieldwork(result: InterviewsResult, policy: DisclosurePolicy) -> TableBlock:
    kinds = result.interviews.pivot_table(
        index=["la_code", "time_point"], columns="kind", values="interview_id", aggfunc="count"
    )
    roles = result.people.pivot_table(
        index=["la_code", "time_point"], columns="role", values="participant", aggfunc="count"
    )
    frame = kinds.join(roles, how="outer").fillna(0).reset_index()
    for column in ("interview", "focus_group", *ROLES):
        frame[column] = frame.get(column, 0)
    frame["site"] = frame["la_code"].map(lambda c: _site(result, c))
    columns = [
        PublishedColumn("site", "Site", LABEL),
        PublishedColumn("time_point", "Time point", LABEL),
        PublishedColumn("interview", "Interviews", VALUE, dp=0),
        PublishedColumn("focus_group", "Focus groups", VALUE, dp=0),
        *(PublishedColumn(r, f"Participants: {r.replace('_', ' ')}", COUNT) for r in ROLES),
    ]
    return _block(
        "interviews-fieldwork",
        "Fieldwork by site and time point",
        frame.sort_values(["time_point", "site"]),
        columns,
        policy,
        "Interviews and focus groups held, and participants by role group",
    )


def _matrix(result: InterviewsResult, policy: DisclosurePolicy) -> list[Block]:
    matrix = result.site_matrix
    cells = sorted(
        {(la, tp) for la, tp in zip(matrix["la_code"], matrix["time_point"], strict=True)},
        key=lambda c: (c[1], _site(result, c[0])),
    )
    lookup = {
        (str(c), str(la), str(tp)): int(n)
        for c, la, tp, n in matrix[SITE_KEYS].itertuples(index=False)
    }
    codes = [c for c in result.codebook.codable if c in set(matrix["code"])]
    frame = pd.DataFrame({"code": [result.codebook.code(c).title for c in codes]})
    columns = [PublishedColumn("code", "Code", LABEL)]
    for la, tp in cells:
        name = f"n_{la}_{tp}"
        frame[name] = [lookup.get((c, la, tp), 0) for c in codes]
        columns.append(PublishedColumn(name, f"{_site(result, la)} {tp}", COUNT))
    block = _block(
        "interviews-code-matrix",
        "Participants mentioning each code, by site and time point",
        frame,
        columns,
        policy,
        "Number of participants whose turns carry the code (c: 1 to "
        f"{policy.min_count} participants, suppressed)",
    )
    top = max([1.0, *(float(v) for v in frame.drop(columns="code").to_numpy().ravel())])
    if len(columns) == 1:  # nothing coded yet: the (empty) table alone
        return [block]
    heatmap = Heatmap(
        "interviews-code-heatmap",
        "Codes by site and time point",
        block.id,
        "code",
        tuple(Series(c.name, c.title) for c in columns[1:]),
        description=f"Heatmap of {len(codes)} codes by {len(cells)} site and time point "
        "combinations; darker cells mean more participants mentioned the code. Cells of 1 "
        f"to {policy.min_count} participants are suppressed (c).",
        domain=(0.0, top),
        value_label="participants",
    )
    return [heatmap, block]


def _prevalence(result: InterviewsResult, policy: DisclosurePolicy) -> TableBlock | None:
    if len(result.time_points) < 2:
        return None
    first, last = result.time_points[0], result.time_points[-1]
    m = result.site_matrix.set_index(["code", "la_code", "time_point"])
    seen = result.people.groupby(["la_code", "time_point"]).size()
    rows = []
    for code in result.codebook.codable:
        for la in sorted(set(result.site_matrix["la_code"])):
            row: dict[str, object] = {
                "code": result.codebook.code(code).title,
                "site": _site(result, la),
            }
            for tag, tp in (("a", first), ("b", last)):
                n, of = int(m["participants"].get((code, la, tp), 0)), int(seen.get((la, tp), 0))
                row |= {
                    f"n_{tag}": n,
                    f"of_{tag}": of,
                    f"pct_{tag}": 100 * n / of if of else math.nan,
                }
            rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return None
    frame = frame[(frame["n_a"] > 0) | (frame["n_b"] > 0)].reset_index(drop=True)
    small = frame["n_a"].between(1, policy.min_count) | frame["n_b"].between(1, policy.min_count)
    frame["change"] = (frame["pct_b"] - frame["pct_a"]).astype(object)
    frame.loc[small, "change"] = SUPPRESSED
    columns = [PublishedColumn("code", "Code", LABEL), PublishedColumn("site", "Site", LABEL)]
    for tag, tp in (("a", first), ("b", last)):
        columns += [
            PublishedColumn(f"n_{tag}", f"{tp}: participants mentioning", COUNT),
            PublishedColumn(f"of_{tag}", f"{tp}: participants interviewed", COUNT),
            PublishedColumn(
                f"pct_{tag}",
                f"{tp}: share (%)",
                ColumnRole.PERCENT,
                numerator=f"n_{tag}",
                denominator=f"of_{tag}",
            ),
        ]
    columns.append(PublishedColumn("change", f"Change {first} to {last} (points)", VALUE, dp=1))
    return _block(
        "interviews-prevalence",
        f"How often each code came up: {first} against {last}, by site",
        frame,
        columns,
        policy,
        "Share of the participants interviewed at the site who mentioned the code",
    )


def _themes(result: InterviewsResult, policy: DisclosurePolicy) -> TableBlock:
    m = result.site_matrix
    rows = []
    for code in (c for c in result.codebook.codable if c in set(m["code"])):
        mine = m[m["code"] == code]
        row: dict[str, object] = {
            "code": result.codebook.code(code).title,
            "box": result.codebook.code(code).toc_node or "(inductive)",
            "sites": mine["la_code"].nunique(),
        }
        for k, tp in enumerate(result.time_points):
            row[f"p{k}"] = int(mine.loc[mine["time_point"] == tp, "participants"].sum())
        rows.append(row)
    columns = [
        PublishedColumn("code", "Code", LABEL),
        PublishedColumn("box", "Theory-of-change box", LABEL),
        PublishedColumn("sites", "Sites where it came up", VALUE, dp=0),
        *(PublishedColumn(f"p{k}", f"Participants mentioning it, {tp}", COUNT)
          for k, tp in enumerate(result.time_points)),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=[c.name for c in columns])
    return _block("interviews-themes", "Themes by theory-of-change box: how many sites and "
                  "participants support each", frame, columns, policy,
                  "Codes are deductive, one per box of the theory of change, unless marked "
                  "inductive")  # fmt: skip


def _agreement(result: InterviewsResult, policy: DisclosurePolicy) -> TableBlock:
    a = result.agreement
    frame = pd.DataFrame(
        [vars(r) for r in (*a.codes, a.pooled)],
        columns=["code", "n_units", "n_first", "n_second", "agreement", "kappa", "alpha"],
    )
    frame["code"] = [
        result.codebook.code(c).title if c != "(pooled)" else "All codes (pooled)"
        for c in frame["code"]
    ]
    frame["agreement"] = 100 * frame["agreement"]
    columns = [
        PublishedColumn("code", "Code", LABEL),
        PublishedColumn("n_units", "Participant turns double-coded", VALUE, dp=0),
        PublishedColumn("n_first", "Turns coded by first coder", VALUE, dp=0),
        PublishedColumn("n_second", "Turns coded by second coder", VALUE, dp=0),
        PublishedColumn("agreement", "Agreement (%)", VALUE, dp=1),
        PublishedColumn("kappa", "Cohen's kappa", VALUE, dp=3),
        PublishedColumn("alpha", "Krippendorff's alpha", VALUE, dp=3),
    ]
    return _block(
        "interviews-agreement",
        "How far the two blind coders agreed, code by code",
        frame,
        columns,
        policy,
        f"Present/absent per participant turn in {len(a.transcripts)} transcripts "
        "coded blind by two coders",
        (
            "Kappa and alpha are 'x' (not available) where a code was never, or always, "
            "applied by both coders.",
        ),
    )


def _quotes(result: InterviewsResult, policy: DisclosurePolicy) -> tuple[TableBlock, TableBlock]:
    quotes = result.quotes.copy()
    per_role = result.people.groupby(["la_code", "time_point", "role"]).size()
    few = [
        per_role.get((la, tp, r), 0) <= policy.min_count
        for la, tp, r in zip(quotes["la_code"], quotes["time_point"], quotes["role"], strict=True)
    ]
    quotes["role"] = quotes["role"].str.replace("_", " ")
    quotes.loc[pd.Series(few, index=quotes.index, dtype=bool), "role"] = "staff member"
    quotes["site"] = quotes["la_code"].map(lambda c: _site(result, c))
    quotes["code"] = quotes["code"].map(lambda c: result.codebook.code(c).title)
    columns = [
        PublishedColumn(n, t, LABEL)
        for n, t in (
            ("code", "Code"),
            ("site", "Site"),
            ("time_point", "Time point"),
            ("role", "Role"),
            ("text", "Quote"),
        )
    ]
    chosen = (
        quotes.assign(
            length=quotes["text"].str.len(), tagged=quotes["text"].str.contains("[", regex=False)
        )
        .sort_values(["code", "tagged", "length"], ascending=[True, True, False])
        .groupby("code")
        .head(1)
    )
    selected = _block(
        "interviews-quotes",
        "Selected quotes, one per code",
        chosen,
        columns,
        policy,
        "The fullest quotable turn for each code, preferring turns with nothing redacted",
    )
    export = _block(
        "interviews-quote-export",
        "Every quotable coded turn (a quote per row)",
        quotes.head(MAX_EXPORT_ROWS),
        columns,
        policy,
        "For reading in Excel or R: a row per coded turn that may be quoted",
        (f"At most {MAX_EXPORT_ROWS} rows.",) if len(quotes) > MAX_EXPORT_ROWS else (),
    )
    return selected, export


def render_interviews(result: InterviewsResult, policy: DisclosurePolicy) -> Section:
    """The interviews and focus groups section of the report."""
    selected, export = _quotes(result, policy)
    kinds = result.interviews["kind"].value_counts()
    prose = (
        f"{kinds.get('interview', 0)} interviews and {kinds.get('focus_group', 0)} focus groups "
        f"were held in {result.interviews['la_code'].nunique()} sites, with the topic guide "
        f"'{result.guide.title}' (version {result.guide.version}, {result.guide.n_questions} "
        "questions following the theory of change). Transcripts were de-identified before they "
        f"were stored and coded with the codebook '{result.codebook.title}' (version "
        f"{result.codebook.version}). Quotes come only from participants who agreed to be "
        "quoted, and never name a person or place."
    )
    if result.notes:
        prose += "\n\n" + " ".join(result.notes)
    prevalence = _prevalence(result, policy)
    blocks: list[Block] = [Prose(prose), _fieldwork(result, policy), *_matrix(result, policy)]
    blocks += [prevalence] if prevalence is not None else []
    blocks += [_themes(result, policy), _agreement(result, policy), selected, export]
    findings = []
    pooled = result.agreement.pooled
    if pooled.n_units:
        findings.append(
            Finding(
                f"Two coders, working blind, agreed on {pooled.agreement:.0%} of participant "
                f"turns and codes (Cohen's kappa {pooled.kappa:.2f}) in "
                f"{len(result.agreement.transcripts)} double-coded transcripts."
            )
        )
    totals = result.site_matrix.groupby("code")["participants"].sum()
    if len(totals):
        top = str(totals.idxmax())
        findings.append(
            Finding(
                f"The code raised by most participants was '{result.codebook.code(top).title}'."
            )
        )
    return Section(
        id="interviews",
        title="Interviews and focus groups",
        summary="What staff in the pilots said about implementing the framework, coded against "
        "the theory of change, and how consistently the coding was done.",
        findings=tuple(findings),
        blocks=tuple(blocks),
    )
