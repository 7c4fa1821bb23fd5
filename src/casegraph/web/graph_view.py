"""What the graph explorer draws, shaped on the server: the edges of one kind between
two subjects merged into one line (a "link") that counts them and totals their
amounts per unit (money per currency, call time as a duration, never added to each
other), and a path's steps with each edge as it is stored (payer -> beneficiary).

Amounts are summed as decimals of their stored text, so 24 payments add up to the
cent; how a total reads comes from ``model.amounts``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from casegraph.graph.edges import ENDS
from casegraph.model.amounts import by_unit, measure
from casegraph.model.edges import SHARED_FIELDS, kind_label

DASH, TIMES = "\u2013", "\u00d7"  # between two dates; "Payment x24" with a times sign
RECORDS_PER_LINK = 30  # the single edges a link lists in its details (the rest counted)
SHARED_PREFIX = "same:"
# every kind the graph holds: relationship schemata, calls, shared values
ALL_KINDS: tuple[str, ...] = (
    *sorted(ENDS),
    *(f"{SHARED_PREFIX}{field}" for field in SHARED_FIELDS),
)


def kinds_without(without: Sequence[str]) -> tuple[str, ...]:
    """The kinds to ask for when the reader switched ``without`` off: none named means
    every kind (an empty filter)."""
    off = set(without)
    if not off:
        return ()
    return tuple(k for k in ALL_KINDS if k not in off)


def totals(edges: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The amounts of ``edges`` summed per unit: [{unit, value, text}], money before
    durations, then by unit."""
    sums: dict[str, Decimal] = {}
    for e in edges:
        amount = e.get("amount")
        if amount is None or amount != amount:  # none, or NaN
            continue
        unit = e.get("unit") or ""
        sums[unit] = sums.get(unit, Decimal(0)) + Decimal(repr(float(amount)))
    return [{"unit": u, "value": str(v), "text": text} for u, v, text in by_unit(sums)]


def link_id(edge: Mapping[str, Any]) -> str:
    """One line per kind and pair: directed edges keep their direction (A pays B and B
    pays A are two lines), undirected ones are one line whichever end is first."""
    ends = [edge["src"], edge["dst"]]
    if not edge.get("directed"):
        ends.sort()
    return "|".join([edge["kind"], *ends])


def _when(value: str | None) -> str:
    """A stored date or time as it reads: ``2022-01-07 12:41``."""
    return (value or "").replace("T", " ")[:16]


def span(start: str | None, end: str | None, day: bool = False) -> str:
    """``2022-01-07 to 2023-12-13`` (an en dash between; days only with ``day``), one
    date when both agree."""
    first, last = _when(start), _when(end)
    if day:
        first, last = first[:10], last[:10]
    if not first:
        return last
    return first + (f" {DASH} {last}" if last and last != first else "")


def record(edge: Mapping[str, Any]) -> dict[str, Any]:
    """One stored edge as the details list shows it."""
    return {
        "id": edge["id"],
        "src": edge["src"],
        "dst": edge["dst"],
        "date": span(edge.get("start_date"), edge.get("end_date")),
        "amount": measure(edge.get("amount"), edge.get("unit")),
        "share": edge.get("share"),
        "label": edge.get("label") or "",
        "sources": list(edge.get("sources") or [edge.get("source")]),
    }


def _caption(kind: str, count: int, sums: Sequence[Mapping[str, Any]], extra: str) -> str:
    head = kind_label(kind) + (f" {TIMES}{count}" if count > 1 else "")
    parts = [head, *(s["text"] for s in sums)]
    return " · ".join(parts) + (f" ({extra})" if extra else "")


def _share(value: Any) -> str:
    return f"{float(value):g} %"


def links(edges: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The edges merged into lines, in the order their first edge came."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for e in edges:
        grouped.setdefault(link_id(e), []).append(e)
    return [_link(key, group) for key, group in grouped.items()]


def _link(key: str, group: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    first = group[0]
    kind = first["kind"]
    starts = sorted(e["start_date"] for e in group if e.get("start_date"))
    ends = sorted(str(e.get("end_date") or e["start_date"]) for e in group
                  if e.get("end_date") or e.get("start_date"))  # fmt: skip
    sources = sorted({s for e in group for s in (e.get("sources") or [e.get("source")]) if s})
    labels = list(dict.fromkeys(e["label"] for e in group if e.get("label")))
    shares = list(dict.fromkeys(e["share"] for e in group if e.get("share") is not None))
    sums = totals(group)
    extra = ""
    if len(shares) == 1:
        extra = _share(shares[0])
    elif len(labels) == 1 and not kind.startswith(SHARED_PREFIX):
        extra = labels[0]
    return {
        "id": key,
        "src": first["src"] if first.get("directed") else min(first["src"], first["dst"]),
        "dst": first["dst"] if first.get("directed") else max(first["src"], first["dst"]),
        "kind": kind,
        "kind_name": kind_label(kind),
        "directed": bool(first.get("directed")),
        "count": len(group),
        "ids": [e["id"] for e in group],
        "sources": sources,
        "start": starts[0] if starts else "",
        "end": ends[-1] if ends else "",
        "dates": span(starts[0] if starts else None, ends[-1] if ends else None, day=True),
        "ends": list(ENDS[kind][:2]) if kind in ENDS else [],
        "totals": sums,
        "labels": labels[:5],
        "caption": _caption(kind, len(group), sums, extra),
        "records": [record(e) for e in sorted(group, key=_chronological)[:RECORDS_PER_LINK]],
        "more_records": max(0, len(group) - RECORDS_PER_LINK),
    }


def _chronological(edge: Mapping[str, Any]) -> tuple[str, int]:
    return (edge.get("start_date") or "", int(edge["id"]))


def graph(body: Mapping[str, Any]) -> dict[str, Any]:
    """A graph answer (nodes and edges) with its edges as links; the edges stay."""
    return {**body, "links": links(body.get("edges") or [])}


def path(found: Mapping[str, Any]) -> dict[str, Any]:
    """One path: its subjects, and each step with the links that join its two
    subjects, every edge in the direction it is stored."""
    nodes = {n["id"]: n for n in found["nodes"]}
    steps = []
    every: list[Mapping[str, Any]] = []
    for step in found["steps"]:
        every.extend(step["edges"])
        joined = links(step["edges"])
        for link in joined:
            link["src_caption"] = nodes[link["src"]]["caption"]
            link["dst_caption"] = nodes[link["dst"]]["caption"]
            link["along"] = link["src"] == step["from"]  # stored the way the path walks
        steps.append({"from": nodes[step["from"]], "to": nodes[step["to"]], "links": joined})
    return {
        "hops": found["hops"],
        "nodes": found["nodes"],
        "steps": steps,
        "links": links(every),
    }
