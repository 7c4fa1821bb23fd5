"""An edge between two subjects, as the graph builds it (``graph/``) and the edges
table holds it (``store/``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from casegraph.model.display import cut

SHARED_FIELDS = ("phone", "email", "address", "id")  # values whose holders "same:" edges join
HUB = 25  # a value shared by more subjects than this links nobody (a registry's address)


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    kind: str
    origin: str
    origin_subject: str | None
    src_entity: str | None
    dst_entity: str | None
    source: str
    source2: str
    directed: bool
    start_date: str | None = None
    end_date: str | None = None
    amount: float | None = None
    share: float | None = None
    label: str | None = None
    unit: str | None = None  # of the amount: a currency code, or amounts.SECONDS

    def __post_init__(self) -> None:
        if self.label is not None:  # held in an index entry
            object.__setattr__(self, "label", cut(self.label))

    def row(self) -> dict[str, object]:
        return {**self.__dict__, "directed": int(self.directed)}


SHARED = "same:"  # the kind of an edge between holders of one value: "same:phone"
_SHARED_WORDS = {"id": "identifier", "email": "e-mail"}


def kind_label(kind: str) -> str:
    """An edge's kind as people read it, everywhere: "CourtCaseParty" as "Court case
    party", "same:address" as "Shared address", "same:id" as "Shared identifier"."""
    if kind.startswith(SHARED):
        field = kind.removeprefix(SHARED)
        return "Shared " + _SHARED_WORDS.get(field, field.replace("_", " "))
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", kind).split(" ")
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if kind else ""
