"""Skip logic: the subset of XLSForm ``relevant`` expressions csceval applies.

Supported (anything else is refused when the instrument loads, CSC-E3408):

- a comparison of a question with a literal: ``${q} = 'x'``, ``${q} != 'x'``, and for numbers
  ``${q} > 3``, ``>=``, ``<``, ``<=`` (``=``/``!=`` also take a bare number);
- ``selected(${q}, 'x')`` for a select_multiple (or select_one) answer;
- ``not(...)``, ``and``, ``or`` (``and`` binds tighter) and parentheses.

Semantics as in ODK: an unanswered question is the empty string, so ``${q} = 'x'`` is false and
``${q} != 'x'`` true; a number comparison with an unanswered or non-numeric question is false.
A question inside a group that has a ``relevant`` is asked only when both are true.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

TOKEN = re.compile(
    r"\s*(?:(?P<ref>\$\{[A-Za-z_][A-Za-z0-9_.\-]*\})|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>!=|>=|<=|=|>|<)|(?P<word>and\b|or\b|not\b|selected\b)"
    r"|(?P<punct>[(),]))"
)

Answers = Mapping[str, str | list[str]]
Condition = Callable[[Answers], bool]


class UnsupportedRelevant(ValueError):  # noqa: N818 (a ValueError with a reason)
    """The expression is outside the supported subset; the message says where."""


@dataclass
class _Tokens:
    items: list[tuple[str, str]]
    at: int = 0

    def peek(self) -> tuple[str, str]:
        return self.items[self.at] if self.at < len(self.items) else ("end", "")

    def take(self, kind: str, value: str | None = None) -> str:
        got = self.peek()
        if got[0] != kind or (value is not None and got[1] != value):
            want = value or kind
            raise UnsupportedRelevant(f"expected {want!r} but found {got[1] or 'the end'!r}")
        self.at += 1
        return got[1]


def _lex(text: str) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    at = 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        found = TOKEN.match(text, at)
        if found is None or found.lastgroup is None:
            raise UnsupportedRelevant(f"cannot read {text[at:].strip()[:20]!r}")
        items.append((found.lastgroup, found[found.lastgroup]))
        at = found.end()
    return items


def _text(answers: Answers, name: str) -> str:
    value = answers.get(name, "")
    return " ".join(value) if isinstance(value, list) else value


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(name: str, op: str, literal: str, quoted: bool) -> Condition:
    if op in ("=", "!="):
        equal = op == "="
        if quoted:
            return lambda a: (_text(a, name) == literal) == equal
        target = float(literal)
        return lambda a: ((_number(_text(a, name)) == target) == equal)
    if quoted:
        raise UnsupportedRelevant(f"{op} needs a number, not {literal!r}")
    target = float(literal)
    tests: dict[str, Callable[[float], bool]] = {
        ">": lambda v: v > target,
        ">=": lambda v: v >= target,
        "<": lambda v: v < target,
        "<=": lambda v: v <= target,
    }
    check = tests[op]

    def compare(a: Answers) -> bool:
        value = _number(_text(a, name))
        return value is not None and check(value)

    return compare


def _literal(tokens: _Tokens) -> tuple[str, bool]:
    kind, value = tokens.peek()
    if kind == "str":
        tokens.at += 1
        return value[1:-1], True
    return tokens.take("num"), False


def _term(tokens: _Tokens, refs: set[str]) -> Condition:
    kind, value = tokens.peek()
    if kind == "punct" and value == "(":
        tokens.take("punct", "(")
        inner = _or(tokens, refs)
        tokens.take("punct", ")")
        return inner
    if kind == "word" and value == "not":
        tokens.take("word", "not")
        tokens.take("punct", "(")
        inner = _or(tokens, refs)
        tokens.take("punct", ")")
        return lambda a: not inner(a)
    if kind == "word" and value == "selected":
        tokens.take("word", "selected")
        tokens.take("punct", "(")
        name = tokens.take("ref")[2:-1]
        tokens.take("punct", ",")
        choice, _quoted = _literal(tokens)
        tokens.take("punct", ")")
        refs.add(name)

        def selected(a: Answers) -> bool:
            value = a.get(name, "")
            chosen = value if isinstance(value, list) else value.split()
            return choice in chosen

        return selected
    name = tokens.take("ref")[2:-1]
    refs.add(name)
    op = tokens.take("op")
    literal, quoted = _literal(tokens)
    return _compare(name, op, literal, quoted)


def _and(tokens: _Tokens, refs: set[str]) -> Condition:
    parts = [_term(tokens, refs)]
    while tokens.peek() == ("word", "and"):
        tokens.take("word", "and")
        parts.append(_term(tokens, refs))
    return parts[0] if len(parts) == 1 else (lambda a: all(p(a) for p in parts))


def _or(tokens: _Tokens, refs: set[str]) -> Condition:
    parts = [_and(tokens, refs)]
    while tokens.peek() == ("word", "or"):
        tokens.take("word", "or")
        parts.append(_and(tokens, refs))
    return parts[0] if len(parts) == 1 else (lambda a: any(p(a) for p in parts))


@dataclass(frozen=True)
class Relevance:
    """A parsed ``relevant`` expression: the questions it reads and its test."""

    text: str
    references: frozenset[str]
    test: Condition

    def __call__(self, answers: Answers) -> bool:
        return self.test(answers)


def parse_relevant(text: str) -> Relevance:
    """Parse ``text`` (empty: always relevant); raises :class:`UnsupportedRelevant`."""
    if not text.strip():
        return Relevance("", frozenset(), lambda a: True)
    tokens = _Tokens(_lex(text))
    refs: set[str] = set()
    test = _or(tokens, refs)
    if tokens.peek()[0] != "end":
        raise UnsupportedRelevant(f"unexpected {tokens.peek()[1]!r}")
    return Relevance(text, frozenset(refs), test)
