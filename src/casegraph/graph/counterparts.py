"""Activity by counterpart: one row per counterpart, kind and direction, with the count,
the total per unit (money per currency, call time in seconds: never added together),
the first and last date and the sources; and the month histogram of a subject's events.
The sums come from the database (``store.edge_totals``); this module only puts the
groups of several sources together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from casegraph.model.amounts import SECONDS, by_unit, measure, rounded

ACTIVITY_KINDS = ("Call", "Payment")
WAYS = ("out", "in", "both")


@dataclass
class Counterpart:
    """A subject's events of one kind and direction with one other subject."""

    other: str
    kind: str
    way: str  # "out": the subject pays / calls; "in": it is paid / called; "both"
    count: int = 0
    totals: dict[str, float] = field(default_factory=dict)  # unit ("" unknown) -> sum
    first: str | None = None
    last: str | None = None
    sources: set[str] = field(default_factory=set)

    def add(self, row: Any) -> None:
        (_, _, _, unit, source, source2, count, total, first, last) = row
        self.count += int(count)
        if total is not None:
            key = unit or ""
            self.totals[key] = self.totals.get(key, 0.0) + float(total)
        self.first = min(filter(None, (self.first, first)), default=None)
        self.last = max(filter(None, (self.last, last)), default=None)
        self.sources.update((source, source2))

    def to_dict(self) -> dict[str, Any]:
        return {
            "other": self.other,
            "kind": self.kind,
            "way": self.way,
            "count": self.count,
            "totals": total_list(self.totals),
            "first": self.first,
            "last": self.last,
            "sources": sorted(self.sources),
        }  # fmt: skip


def exact(total: float, unit: str) -> Decimal:
    """A sum as the database gives it (floating point), to the unit's precision."""
    return Decimal(round(total)) if unit == SECONDS else rounded(total, unit)


def combine(rows: Iterable[Any]) -> list[Counterpart]:
    """The groups of ``store.edge_totals.totals`` put together across sources, most
    events first."""
    found: dict[tuple[str, str, str], Counterpart] = {}
    for row in rows:
        other, way, kind = row[0], row[1], row[2]
        found.setdefault((other, kind, way), Counterpart(other, kind, way)).add(row)
    return sorted(
        found.values(),
        key=lambda c: (-c.count, -sum(v for u, v in c.totals.items() if u != SECONDS), c.other,
                       c.kind, WAYS.index(c.way)),
    )  # fmt: skip


def histogram(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """``store.edge_totals.months`` as one entry per month from the first to the last
    (empty months included), with the count of each kind."""
    per: dict[str, dict[str, int]] = {}
    for month, kind, count in rows:
        if len(month) == 7 and month[4] == "-":
            per.setdefault(month, {})[kind] = int(count)
    if not per:
        return []
    first, last = min(per), max(per)
    year, mon = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{mon:02d}" <= last:
        key = f"{year:04d}-{mon:02d}"
        kinds = per.get(key, {})
        out.append({"month": key, "count": sum(kinds.values()), "kinds": kinds})
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return out


def _totals(groups: Iterable[Counterpart], key: Any) -> dict[Any, dict[str, float]]:
    out: dict[Any, dict[str, float]] = {}
    for g in groups:
        sums = out.setdefault(key(g), {})
        for unit, value in g.totals.items():
            sums[unit] = sums.get(unit, 0.0) + value
    return out


def total_list(sums: dict[str, float]) -> list[dict[str, Any]]:
    """Sums per unit as the API gives them: ``{unit, amount, text}``, the amount to the
    unit's precision."""
    return [
        {"unit": u, "amount": float(exact(float(v), u or "")), "text": text}
        for u, v, text in by_unit(sums)
    ]


def summary(
    subject: str, groups: list[Counterpart], months: Iterable[Any], top: int
) -> dict[str, Any]:
    """A subject's activity in numbers: events per kind, totals per kind and unit, the
    first and last date, events per month, and the ``top`` counterparts (most events
    first) with their counts in and out and their totals."""
    by_kind: dict[str, int] = {}
    for g in groups:
        by_kind[g.kind] = by_kind.get(g.kind, 0) + g.count
    per_other: dict[str, dict[str, Any]] = {}
    for g in groups:
        item = per_other.setdefault(g.other, {"id": g.other, "count": 0, "out": 0, "in": 0,
                                               "both": 0, "kinds": set(), "first": None,
                                               "last": None})  # fmt: skip
        item["count"] += g.count
        item[g.way] += g.count
        item["kinds"].add(g.kind)
        item["first"] = min(filter(None, (item["first"], g.first)), default=None)
        item["last"] = max(filter(None, (item["last"], g.last)), default=None)
    other_sums = _totals(groups, lambda g: g.other)
    ranked = sorted(per_other.values(), key=lambda i: (-i["count"], i["id"]))[:top]
    firsts = [g.first for g in groups if g.first]
    lasts = [g.last for g in groups if g.last]
    return {
        "subject": subject,
        "count": sum(by_kind.values()),
        "by_kind": by_kind,
        "totals": [
            {"kind": kind, **t}
            for kind, sums in sorted(_totals(groups, lambda g: g.kind).items())
            for t in total_list(sums)
        ],
        "first": min(firsts, default=None),
        "last": max(lasts, default=None),
        "by_month": {m["month"]: m["count"] for m in histogram(months) if m["count"]},
        "top": [
            {**i, "kinds": sorted(i["kinds"]), "totals": total_list(other_sums[i["id"]])}
            for i in ranked
        ],
    }


# the order of a profile's structural relationships: what a subject is and does first
STRUCTURE_ORDER = ("Ownership", "Directorship", "Family", "Employment", "CourtCaseParty",
                   "Membership", "Representation", "Succession", "Associate",
                   "UnknownLink")  # fmt: skip


def _way_of(subject: str, edge: dict[str, Any]) -> str:
    if not edge["directed"]:
        return "both"
    return "out" if edge["src"] == subject else "in"


def structural(
    subject: str, items: list[dict[str, Any]], nodes: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Structural edges (``subgraph.edge_dict``) with the other end's card, the
    subject's side (``out``: it owns, directs, is party ...), and the amount or share as
    it reads; the same relationship stated by several sources (or found through several
    pairs of records, for a shared value) once, with all its sources; ownership first,
    shared values last, then by date."""
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for edge in items:
        other = nodes[edge["dst"] if edge["src"] == subject else edge["src"]]
        label = None if other["sealed"] else edge["label"]
        share, way = edge["share"], _way_of(subject, edge)
        key = (edge["kind"], other["id"], way, label, edge["start_date"], edge["end_date"],
               share, edge["amount"], edge.get("unit"))  # fmt: skip
        if key in found:
            found[key]["sources"] = sorted({*found[key]["sources"], *edge["sources"]})
            continue
        found[key] = {**edge, "label": label, "way": way, "other": other,
                      "amount_text": measure(edge["amount"], edge.get("unit")),
                      "share_text": f"{share:g} %" if share is not None else ""}  # fmt: skip
    out = list(found.values())

    return sorted(out, key=lambda e: (structure_place(e["kind"]), e["kind"], e["start_date"] or ""))


def structure_place(kind: str) -> int:
    """Where a structural kind comes in a list of relationships (``STRUCTURE_ORDER``;
    other kinds after them, shared values last)."""
    if kind in STRUCTURE_ORDER:
        return STRUCTURE_ORDER.index(kind)
    return len(STRUCTURE_ORDER) + kind.startswith("same:")


def single_events(
    subject: str, items: list[dict[str, Any]], nodes: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Single events (``subgraph.edge_dict``) with the other end's card, the
    subject's side, and the amount as it reads."""
    return [
        {**e, "way": _way_of(subject, e),
         "other": nodes[e["dst"] if e["src"] == subject else e["src"]],
         "amount_text": measure(e["amount"], e.get("unit"))}
        for e in items
    ]  # fmt: skip
