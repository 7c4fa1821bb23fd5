"""The query language users know from Aleph and Elasticsearch.

    maria "banca rossi" phone:+39 06 1234 -schema:Company country:it OR country:ch
    name:holl* birthDate:[1970 TO 1979] year:>2015 (acme OR globex) NOT vessel

Words and phrases match names and other values; ``field:value`` filters; a leading
``-`` or ``NOT`` excludes; ``AND`` is implied between clauses, ``OR`` binds looser;
parentheses group. ``word*`` is a prefix, ``*part*`` a substring of a name.

A phone number, IBAN, e-mail address or identifier pasted as it was written
("+49 151 48273390", "DE89 3704 0044 0532 0130 00") matches as text and also, read the
way ingest stores it (``search.pasted``), against the value fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from followthemoney import model as ftm

from casegraph.errors import InvalidInput
from casegraph.search import pasted

MAX_CLAUSES = 32


class QueryError(InvalidInput):
    """The query text cannot be read; the message says where."""


@dataclass(frozen=True)
class Words:
    """Words (or one phrase) to find; ``field`` is "name" to search names only."""

    words: tuple[str, ...]
    phrase: bool = False
    field: str | None = None


@dataclass(frozen=True)
class Filter:
    field: str
    value: str
    pasted: bool = False  # read from free text (``value`` normalised), not written field:value


@dataclass(frozen=True)
class Range:
    field: str
    low: str | None
    high: str | None


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Words | Filter | Range | Not | And | Or

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<open>\() | (?P<close>\)) | (?P<minus>-)(?=[^\s-]) |
      (?P<field>[A-Za-z][A-Za-z_]*):(?P<fvalue>"[^"]*"?|\[[^\]]*\]?|[<>]=?[^\s()]+|[^\s()]+)? |
      (?P<phrase>"[^"]*"?) |
      (?P<word>[^\s()"]+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str  # open | close | field | phrase | word | pasted | and | or | not | minus
    text: str
    value: str = ""
    at: int = 0


def _lex(query: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        start = len(query) - len(query[pos:].lstrip())
        run = pasted.run_at(query, start)
        if run is not None:  # a phone number or IBAN, spaces and all
            out.append(_Tok("pasted", run, at=start))
            pos = start + len(run)
            continue
        match = _TOKEN.match(query, pos)
        if match is None or match.end() == pos:
            raise QueryError(f"cannot read the query at character {pos + 1}: {query[pos:]!r}")
        at = match.start(match.lastgroup or 0)
        kind = match.lastgroup or ""
        if kind == "fvalue":
            kind = "field"
        value = match.group(kind)
        if kind == "field":
            fvalue = match.group("fvalue")
            if not fvalue:
                raise QueryError(f"{value}: has no value (character {at + 1})")
            run = pasted.run_at(query, match.start("fvalue")) if value == "phone" else None
            if run is not None and len(run) > len(fvalue):  # phone:+49 151 48273390
                out.append(_Tok("field", value, run, at))
                pos = match.start("fvalue") + len(run)
                continue
            out.append(_Tok("field", value, fvalue, at))
        elif kind == "phrase":
            if len(value) < 2 or not value.endswith('"'):
                raise QueryError(f"unclosed quote at character {at + 1}")
            out.append(_Tok("phrase", value[1:-1], at=at))
        elif kind == "word" and value in ("AND", "OR", "NOT"):
            out.append(_Tok(value.lower(), value, at=at))
        else:
            out.append(_Tok(kind, value, at=at))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, tokens: list[_Tok]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.clauses = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def parse_or(self) -> Node:
        nodes = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            nodes.append(self.parse_and())
        return nodes[0] if len(nodes) == 1 else Or(tuple(nodes))

    def parse_and(self) -> Node:
        nodes = [self.parse_unary()]
        while (tok := self.peek()) is not None and tok.kind not in ("or", "close"):
            if tok.kind == "and":
                self.take()
            nodes.append(self.parse_unary())
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def parse_unary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise QueryError("the query ends where a word or filter was expected")
        if tok.kind in ("not", "minus"):
            self.take()
            return Not(self.parse_unary())
        return self.parse_atom()

    def parse_atom(self) -> Node:
        tok = self.take()
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QueryError(f"the query has more than {MAX_CLAUSES} clauses")
        if tok.kind == "open":
            node = self.parse_or()
            close = self.peek()
            if close is None or close.kind != "close":
                raise QueryError(f"the parenthesis at character {tok.at + 1} is not closed")
            self.take()
            return node
        if tok.kind == "close":
            raise QueryError(f"unexpected ')' at character {tok.at + 1}")
        if tok.kind in ("and", "or"):
            raise QueryError(f"{tok.text} at character {tok.at + 1} needs a clause before it")
        if tok.kind == "phrase":
            words = tuple(tok.text.split())
            if not words:
                raise QueryError(f"empty phrase at character {tok.at + 1}")
            whole = pasted.run_at(tok.text.strip(), 0) == tok.text.strip()
            return _with_values(Words(words, phrase=len(words) > 1), tok.text if whole else "")
        if tok.kind == "field":
            return _field(tok)
        if tok.kind == "pasted":
            return _with_values(Words(tuple(tok.text.split())), tok.text)
        if "*" in tok.text:
            return Words((tok.text,))
        return _with_values(Words((tok.text,)), tok.text)


def _with_values(words: Words, text: str) -> Node:
    """``words``, or the value fields ``text`` stands for when it looks like a phone
    number, IBAN, e-mail address or identifier."""
    found = pasted.values(text) if text else []
    if not found:
        return words
    return Or((words, *(Filter(field, value, pasted=True) for field, value in found)))


def _field(tok: _Tok) -> Node:
    name, value = tok.text, tok.value
    if value.startswith("["):
        if not value.endswith("]") or " TO " not in value:
            raise QueryError(f"{name}: a range is written [FROM TO UNTIL] (character {tok.at + 1})")
        low, _, high = value[1:-1].partition(" TO ")
        low, high = low.strip(), high.strip()
        return Range(name, None if low in ("", "*") else low, None if high in ("", "*") else high)
    if value[:1] in "<>":
        op = value[:2] if value[1:2] == "=" else value[:1]
        bound = value[len(op) :]
        if op.startswith(">"):
            return Range(name, bound if op == ">=" else _after(bound), None)
        return Range(name, None, bound if op == "<=" else _before(bound))
    if value.startswith('"'):
        if len(value) < 2 or not value.endswith('"'):
            raise QueryError(f"unclosed quote at character {tok.at + 1}")
        value = value[1:-1]
    if name in ("name", "address", "text"):
        words = tuple(value.split())
        return Words(words, phrase=len(words) > 1, field=name)
    return Filter(name, value)


def _after(bound: str) -> str:
    """The lowest value above ``bound`` at its precision ("2015" -> "2016")."""
    if bound.isdigit() and len(bound) == 4:
        return str(int(bound) + 1)
    return bound + "~"


def _before(bound: str) -> str:
    """The highest value below ``bound``: dates compare as text, so one step down."""
    if bound.isdigit() and len(bound) == 4:
        return f"{int(bound) - 1}~"
    return bound[:-1] + chr(max(ord(bound[-1]) - 1, 32)) + "~" if bound else bound


def parse(query: str) -> Node | None:
    """The query's tree; None for an empty query."""
    tokens = _lex(query)
    if not tokens:
        return None
    parser = _Parser(tokens)
    node = parser.parse_or()
    rest = parser.peek()
    if rest is not None:
        raise QueryError(f"unexpected {rest.text!r} at character {rest.at + 1}")
    return node


def free_text(node: Node | None) -> str:
    """The query's words and phrases that are not field filters nor negated, as a text
    query (phrases in double quotes): what documents are searched for."""
    if node is None or isinstance(node, Not | Filter | Range):
        return ""
    if isinstance(node, Words):
        if node.field:
            return ""
        joined = " ".join(node.words)
        return f'"{joined}"' if node.phrase else joined
    return " ".join(filter(None, (free_text(child) for child in node.nodes)))


def fields(node: Node | None) -> list[str]:
    """Every field the query filters on."""
    if node is None:
        return []
    if isinstance(node, Filter | Range):
        return [node.field]
    if isinstance(node, Words):
        return [node.field] if node.field else []
    if isinstance(node, Not):
        return fields(node.node)
    return [f for child in node.nodes for f in fields(child)]


def schemata(value: str) -> list[str]:
    """The schema named in a ``schema:`` filter and those that extend it."""
    schema = ftm.get(value)
    if schema is None:
        raise QueryError(f"schema:{value}: no such schema (try Person, Company, ...)")
    return sorted(s.name for s in ftm.schemata.values() if s.is_a(schema))
