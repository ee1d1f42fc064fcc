"""Survey instruments: questions, choice lists and subscales, built from XLSForm-style rows.

An instrument is what an XLSForm (the ``survey``/``choices``/``settings`` sheets of ODK,
KoboToolbox and SurveyCTO) describes, plus two columns of csceval's own on the ``survey`` sheet:

- ``subscale``: the id of the subscale a ``select_one`` question scores on (blank: unscored);
- ``reverse``: ``yes`` (or ``true``/``1``) when the question is reverse-keyed (scored
  ``min + max - value``);

and an optional ``subscales`` sheet (``name``, ``label``) giving each subscale's title.
:func:`build_instrument` checks the rows whatever they came from (the XLSX reader in
:mod:`~csceval.strands.culture_survey.xlsform` or the TOML of the shipped default); every
problem is coded (CSC-E3402..E3407) and names the sheet, row and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files

from csceval.errors import InputError, Problem
from csceval.project.documents import parse_toml
from csceval.strands.culture_survey.relevance import Relevance, UnsupportedRelevant, parse_relevant

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
RELEVANT_SIMPLE = re.compile(r"^\s*\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}\s*(=|!=)\s*'([^']*)'\s*$")
REFERENCE = re.compile(r"\$\{([^}]*)\}")
QUESTION_TYPES = frozenset({"select_one", "select_multiple", "text", "integer", "decimal", "note"})
IGNORED_TYPES = frozenset(
    {
        "calculate",
        "start",
        "end",
        "today",
        "deviceid",
        "username",
        "phonenumber",
        "simserial",
        "subscriberid",
        "audit",
        "hidden",
        "date",
        "time",
        "datetime",
        "acknowledge",
        "range",
        "geopoint",
        "image",
        "file",
        "barcode",
    }
)
YES = frozenset({"yes", "true", "true()", "1", "y"})
NO = frozenset({"", "no", "false", "false()", "0", "n"})
Rows = Sequence[Mapping[str, str]]


@dataclass(frozen=True)
class Choice:
    name: str
    label: str


@dataclass(frozen=True)
class Question:
    """One question of the ``survey`` sheet (groups and notes are kept for context)."""

    name: str
    type: str
    label: str
    list_name: str = ""
    required: bool = False
    relevant: str = ""
    subscale: str = ""
    reverse: bool = False
    group: str = ""

    @property
    def relevance(self) -> Relevance:
        """The parsed skip rule (checked when the instrument was built)."""
        return parse_relevant(self.relevant)

    @property
    def condition(self) -> tuple[str, str, str] | None:
        """``(question, operator, value)`` of a simple ``${q} = 'x'`` skip rule, else None."""
        found = RELEVANT_SIMPLE.match(self.relevant)
        return (found[1], found[2], found[3]) if found else None


@dataclass(frozen=True)
class Instrument:
    """A survey instrument: its questions, choice lists and subscales."""

    id: str
    version: str
    title: str
    questions: tuple[Question, ...]
    choices: Mapping[str, tuple[Choice, ...]]
    subscale_titles: Mapping[str, str]

    def question(self, name: str) -> Question:
        return next(q for q in self.questions if q.name == name)

    @property
    def subscales(self) -> dict[str, tuple[Question, ...]]:
        """Subscale id -> its scored questions, in the order of the form."""
        out: dict[str, list[Question]] = {}
        for q in self.questions:
            if q.subscale:
                out.setdefault(q.subscale, []).append(q)
        return {k: tuple(v) for k, v in out.items()}

    def title_of(self, subscale: str) -> str:
        return self.subscale_titles.get(subscale, subscale)

    def scale_range(self, question: Question) -> tuple[int, int]:
        """Lowest and highest answer value of a scored question's choice list."""
        values = [int(c.name) for c in self.choices[question.list_name]]
        return min(values), max(values)

    def n_options(self, question: Question) -> int:
        """Number of response options A (for the r_wg null distribution)."""
        return len(self.choices[question.list_name])

    @property
    def free_text(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.type == "text")


def _text(row: Mapping[str, str], key: str) -> str:
    value = row.get(key, "")
    return "" if value is None else str(value).strip()


def _flag(value: str) -> bool | None:
    low = value.lower()
    return True if low in YES else False if low in NO else None


def _choices(rows: Rows, file: str, problems: list[Problem]) -> dict[str, tuple[Choice, ...]]:
    lists: dict[str, list[Choice]] = {}
    for number, row in enumerate(rows, start=2):
        list_name, name = _text(row, "list_name"), _text(row, "name")
        if not list_name and not name:
            continue
        message = ""
        if not NAME.match(list_name) or not name:
            message = "A choice needs a list_name and a name."
        elif any(c.name == name for c in lists.get(list_name, [])):
            message = f"Choice list {list_name!r} has {name!r} twice."
        if message:
            problems.append(
                Problem(
                    "CSC-E3403",
                    message,
                    file=file,
                    sheet="choices",
                    row=number,
                    column="name",
                    value=f"{list_name} {name}".strip(),
                    fix="Give each choice a list_name and a name of its own.",
                )
            )
            continue
        lists.setdefault(list_name, []).append(Choice(name, _text(row, "label") or name))
    return {k: tuple(v) for k, v in lists.items()}


def _type(raw: str) -> tuple[str, str]:
    parts = raw.replace(" group", "_group").replace(" repeat", "_repeat").split()
    kind = parts[0] if parts else ""
    return kind, parts[1] if len(parts) > 1 and kind.startswith("select_") else ""


Issue = tuple[str, str, str, str, str]
"""(code, message, column, value, fix) of a problem on one survey row."""


def _row_issue(
    row: Mapping[str, str], kind: str, list_name: str, choices: Mapping[str, tuple[Choice, ...]],
    seen: set[str],
) -> Issue | None:  # fmt: skip
    """The first problem of a question row, or None."""
    raw, name, subscale = _text(row, "type"), _text(row, "name"), _text(row, "subscale")
    if kind not in QUESTION_TYPES:
        return ("CSC-E3405", f"Question type {raw!r} is not supported.", "type", raw,
                "Use select_one, select_multiple, text, integer, decimal, note or groups "
                "(repeats are not supported).")  # fmt: skip
    if not NAME.match(name) or name in seen:
        return ("CSC-E3403", "A question name is missing, invalid or repeated.", "name", name,
                "Give each question a unique name of letters, digits and _.")  # fmt: skip
    if kind.startswith("select_") and list_name not in choices:
        return ("CSC-E3404", f"Choice list {list_name!r} is not on the choices sheet.", "type",
                raw, "Add the list to the choices sheet or correct its name.")  # fmt: skip
    if _flag(_text(row, "reverse")) is None:
        return ("CSC-E3406", "reverse must be yes or no.", "reverse", _text(row, "reverse"),
                "Write yes for reverse-keyed questions and leave the others blank.")  # fmt: skip
    if subscale and kind != "select_one":
        return ("CSC-E3406", "Only select_one questions can score on a subscale.", "subscale",
                subscale, "Clear the subscale of this question.")  # fmt: skip
    if subscale and not all(re.fullmatch(r"-?\d+", c.name) for c in choices[list_name]):
        return ("CSC-E3404", f"Scored list {list_name!r} needs whole-number choice names.",
                "type", raw, "Name the choices 1, 2, 3 ... in order of agreement.")  # fmt: skip
    return None


def _questions(
    rows: Rows, choices: Mapping[str, tuple[Choice, ...]], file: str, problems: list[Problem]
) -> list[Question]:
    questions: list[Question] = []
    groups: list[str] = []
    conditions: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        kind, list_name = _type(_text(row, "type").lower())
        name = _text(row, "name")
        issue: Issue | None = None
        if kind == "begin_group":
            groups.append(name)
            conditions.append(_text(row, "relevant"))
            issue = _relevant_issue(_text(row, "relevant"))
        elif kind == "end_group" and groups:
            groups.pop()
            conditions.pop()
        elif kind == "end_group":
            issue = ("CSC-E3405", "end_group without a begin_group.", "type", "end_group",
                     "Pair every end_group with a begin_group above it.")  # fmt: skip
        elif kind and kind not in IGNORED_TYPES:
            issue = _row_issue(row, kind, list_name, choices, seen) or _relevant_issue(
                _text(row, "relevant")
            )
            if issue is None:
                seen.add(name)
                questions.append(Question(
                    name=name, type=kind, label=_text(row, "label"), list_name=list_name,
                    required=bool(_flag(_text(row, "required"))),
                    relevant=_combined([*conditions, _text(row, "relevant")]),
                    subscale=_text(row, "subscale"),
                    reverse=bool(_flag(_text(row, "reverse"))),
                    group="/".join(g for g in groups if g),
                ))  # fmt: skip
        if issue is not None:
            code, message, column, value, fix = issue
            problems.append(Problem(code, message, file=file, sheet="survey", row=number,
                                    column=column, value=value, fix=fix))  # fmt: skip
    if groups:
        problems.append(Problem("CSC-E3405", "A begin_group has no end_group.", file=file,
                                sheet="survey", column="type", value=groups[-1],
                                fix="Close every group with an end_group row."))  # fmt: skip
    return questions


def _relevant_issue(text: str) -> Issue | None:
    """CSC-E3408 when a ``relevant`` expression is outside the supported subset."""
    try:
        parse_relevant(text)
    except UnsupportedRelevant as error:
        return ("CSC-E3408", f"This skip rule is not supported: {error}.", "relevant", text,
                "Use ${q} = 'x', ${q} != 'x', number comparisons, selected(${q}, 'x'), "
                "not(), and, or and brackets (docs/formats.md, culture_survey.xlsx).")  # fmt: skip
    return None


def _combined(conditions: list[str]) -> str:
    """Group and question conditions as one expression (each bracketed, joined by and)."""
    parts = [c for c in conditions if c.strip()]
    return parts[0] if len(parts) == 1 else " and ".join(f"({c})" for c in parts)


def _check_scales(questions: list[Question], file: str, problems: list[Problem]) -> None:
    names = {q.name for q in questions}
    counts: dict[str, int] = {}
    for q in questions:
        counts[q.subscale] = counts.get(q.subscale, 0) + 1
        for ref in REFERENCE.findall(q.relevant):
            if ref not in names:
                problems.append(
                    Problem(
                        "CSC-E3407",
                        f"relevant names unknown question {ref!r}.",
                        file=file,
                        sheet="survey",
                        column="relevant",
                        value=q.relevant,
                        fix="Correct the question name.",
                    )
                )
    for scale, n in counts.items():
        if scale and n < 2:
            problems.append(
                Problem(
                    "CSC-E3406",
                    f"Subscale {scale!r} has only {n} item.",
                    file=file,
                    sheet="survey",
                    column="subscale",
                    value=scale,
                    fix="Give every subscale at least 2 items.",
                )
            )
    if not any(q.subscale for q in questions):
        problems.append(
            Problem(
                "CSC-E3406",
                "No question scores on a subscale.",
                file=file,
                sheet="survey",
                column="subscale",
                fix="Add a subscale column naming each scored item's subscale.",
            )
        )


def build_instrument(
    survey: Rows,
    choices: Rows,
    settings: Mapping[str, str],
    subscales: Rows = (),
    *,
    file: str = "culture_survey.xlsx",
) -> Instrument:
    """Check XLSForm rows and build the instrument; raises InputError with every problem."""
    problems: list[Problem] = []
    lists = _choices(choices, file, problems)
    questions = _questions(survey, lists, file, problems)
    _check_scales(questions, file, problems)
    if problems:
        raise InputError(problems)
    titles = {_text(r, "name"): _text(r, "label") or _text(r, "name") for r in subscales}
    form_id = _text(settings, "form_id") or "survey"
    return Instrument(
        id=form_id,
        version=_text(settings, "version") or "1",
        title=_text(settings, "form_title") or form_id,
        questions=tuple(questions),
        choices=lists,
        subscale_titles={k: v for k, v in titles.items() if k},
    )


DEFAULT_FILE = "team_climate.toml"


def default_rows() -> dict[str, object]:
    """The shipped open instrument's sheets as rows (``survey``, ``choices``, ...)."""
    text = (files("csceval.strands.culture_survey") / "defaults" / DEFAULT_FILE).read_text()
    return parse_toml(text)


def default_instrument() -> Instrument:
    """csceval's own open team-climate instrument (16 items, 4 subscales, 5 reverse-keyed)."""
    data = default_rows()
    return build_instrument(
        data["survey"],  # type: ignore[arg-type]
        data["choices"],  # type: ignore[arg-type]
        data["settings"],  # type: ignore[arg-type]
        data.get("subscales", ()),  # type: ignore[arg-type]
        file=DEFAULT_FILE,
    )
