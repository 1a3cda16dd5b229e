"""A small SOQL parser for the emulator: SELECT … FROM … [WHERE …] [ORDER BY …] [LIMIT n].

WHERE supports AND, OR, parentheses and ``= != < <= > >= IN`` against quoted strings (with
backslash escapes as ``format_soql`` writes them), numbers, booleans, null and datetime
literals (``Z`` or ``±hh:mm`` offsets).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["ParsedQuery", "SoqlError", "parse_soql"]

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:\\.|[^'\\])*')|(?P<op><=|>=|!=|=|<|>|\(|\)|,)"
    r"|(?P<word>[\w.:+\-]+))",
    re.S,
)
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")

Predicate = Callable[[dict[str, Any]], bool]


class SoqlError(ValueError):
    """The query is not SOQL this emulator understands."""


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SoqlError(f"unexpected token at {text[pos : pos + 20]!r}")
        out.append(m.group(m.lastgroup or "word"))
        pos = m.end()
    return out


def _literal(token: str) -> Any:
    if token.startswith("'"):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    low = token.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    if _DATETIME.match(token):
        text = token.replace("Z", "+00:00")
        if re.search(r"[+-]\d{4}$", text):
            text = text[:-2] + ":" + text[-2:]
        return datetime.fromisoformat(text)
    try:
        return float(token)
    except ValueError as exc:
        raise SoqlError(f"bad literal {token!r}") from exc


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "=":
        return bool(left == right)
    if op == "!=":
        return bool(left != right)
    if left is None or right is None:
        return False
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    return ops[op](left, right)


class _Where:
    def __init__(self, tokens: list[str]) -> None:
        self.t = tokens
        self.i = 0

    def peek(self) -> str | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> str:
        if self.i >= len(self.t):
            raise SoqlError("unexpected end of WHERE")
        self.i += 1
        return self.t[self.i - 1]

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while (self.peek() or "").upper() == "OR":
            self.take()
            parts.append(self.conjunction())
        return lambda r: any(p(r) for p in parts)

    def conjunction(self) -> Predicate:
        parts = [self.atom()]
        while (self.peek() or "").upper() == "AND":
            self.take()
            parts.append(self.atom())
        return lambda r: all(p(r) for p in parts)

    def atom(self) -> Predicate:
        if self.peek() == "(":
            self.take()
            inner = self.disjunction()
            if self.take() != ")":
                raise SoqlError("missing )")
            return inner
        name, op = self.take(), self.take()
        if op.upper() == "IN":
            if self.take() != "(":
                raise SoqlError("IN needs a list")
            values = [_literal(self.take())]
            while self.take() == ",":
                values.append(_literal(self.take()))
            return lambda r: r.get(name) in values
        if op not in ("=", "!=", "<", "<=", ">", ">="):
            raise SoqlError(f"unsupported operator {op!r}")
        value = _literal(self.take())
        return lambda r: _compare(op, r.get(name), value)


@dataclass
class ParsedQuery:
    """A parsed SELECT."""

    sobject: str
    fields: list[str]
    matches: Predicate
    order: list[str]
    limit: int | None

    def sort_key(self, record: dict[str, Any]) -> tuple[Any, ...]:
        return tuple((record.get(f) is None, record.get(f) or "") for f in self.order)


def parse_soql(soql: str) -> ParsedQuery:
    """Parse a SELECT statement; raise :class:`SoqlError` on anything else."""
    m = re.match(
        r"^\s*SELECT\s+(?P<f>.+?)\s+FROM\s+(?P<o>\w+)(?:\s+WHERE\s+(?P<w>.+?))?"
        r"(?:\s+ORDER\s+BY\s+(?P<ob>[\w\s,]+?))?(?:\s+LIMIT\s+(?P<l>\d+))?\s*$",
        soql,
        re.I | re.S,
    )
    if not m:
        raise SoqlError(f"MALFORMED_QUERY: {soql[:80]}")
    fields = [f.strip() for f in m.group("f").split(",")]
    matches: Predicate = lambda r: True  # noqa: E731 - no WHERE matches every row
    if m.group("w"):
        where = _Where(_tokens(m.group("w")))
        matches = where.disjunction()
        if where.peek() is not None:
            raise SoqlError(f"unexpected {where.peek()!r} in WHERE")
    order = [part.split()[0] for part in (m.group("ob") or "").split(",") if part.strip()]
    limit = int(m.group("l")) if m.group("l") else None
    return ParsedQuery(m.group("o"), fields, matches, order, limit)
