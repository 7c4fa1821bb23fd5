"""The one rule for a subject's display name: the full name stated by the most sources,
then alphabetical.

Every page, the CLI, the API and the case file show a subject by this name, so one
subject never reads as "K. Valdrenko" on one screen and "Valdrenko, Konstantin" on the
next. A person's name written surname first ("Valdrenko, Konstantin", as banks and
courts write them) counts as the same name in reading order ("Konstantin Valdrenko");
a name with initials ("K. Valdrenko") is chosen only when no full name is known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_INITIAL = re.compile(r"^\w\.?$|^\w\.(\w\.)+$")  # "K", "K.", "K.H."


def reading_order(name: str, person: bool) -> str:
    """``name`` with its spaces tidied; a person's "Surname, Given" as "Given Surname"."""
    text = " ".join(name.split())
    if person and text.count(",") == 1:
        surname, given = (part.strip() for part in text.split(","))
        if surname and given:
            return f"{given} {surname}"
    return text


def abbreviated(name: str) -> bool:
    """Whether ``name`` has an initial in place of a word ("K. Valdrenko")."""
    words = [w for w in name.replace("-", " ").split() if any(c.isalpha() for c in w)]
    return len(words) > 1 and any(_INITIAL.match(w) for w in words)


def display_name(stated: Iterable[tuple[str, str]], person: bool) -> str | None:
    """The display name among ``stated`` ((who states it, name) pairs: sources for a
    subject, records within one source): full names before abbreviated ones, names in
    ordinary case before names in capitals (a register's "GERDA WOELLENSTEIN"), then
    the name stated by the most, then alphabetical. None when nothing is stated."""
    votes: dict[str, set[str]] = {}
    for voter, name in stated:
        text = reading_order(name, person)
        if text:
            votes.setdefault(text, set()).add(voter)
    if not votes:
        return None
    return min(votes, key=lambda n: (abbreviated(n), n.isupper(), -len(votes[n]),
                                     n.casefold(), n))  # fmt: skip


NAME_PARTS = ("firstName", "middleName", "lastName")


def names_stated(statements: Iterable[tuple[str, str, str, str]]) -> list[tuple[str, str]]:
    """(who states it, name) pairs from (who, record, property, value) statements: the
    ``name`` values; where none is stated, each record's name parts joined in order."""
    rows = list(statements)
    named = [(who, value) for who, _, prop, value in rows if prop == "name"]
    if named:
        return named
    parts: dict[tuple[str, str], dict[str, str]] = {}
    for who, record, prop, value in rows:
        if prop in NAME_PARTS:
            parts.setdefault((who, record), {}).setdefault(prop, value)
    return [
        (who, " ".join(found[p] for p in NAME_PARTS if p in found))
        for (who, _), found in parts.items()
    ]


def record_name(properties: dict[str, list[str]], person: bool) -> str | None:
    """The display name of one record, from its properties (FtM's ``properties``)."""
    stated = names_stated(("", "", p, v) for p, values in properties.items() for v in values)
    return display_name(stated, person)
