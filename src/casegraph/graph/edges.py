"""Edges from statements: one per relationship entity (Ownership, Payment, Call ...)
and its two ends, and one per pair of subjects that share a phone, e-mail address,
postal address or identifier."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations

from followthemoney import model as ftm

from casegraph.model.amounts import SECONDS
from casegraph.model.edges import HUB, Edge
from casegraph.model.statements import StatementRow

# (source property, target property, directed) of each relationship schema
ENDS: dict[str, tuple[str, str, bool]] = {
    schema.name: (schema.edge_source, schema.edge_target, schema.edge_directed)
    for schema in ftm.schemata.values()
    if schema.edge and schema.edge_source and schema.edge_target
}
ENDS["Call"] = ("caller", "receiver", True)
# where an amount is, and its unit: the currency the relationship states, or a fixed one
AMOUNT_PROPS = ("amountEur", "amount", "amountUsd", "duration")
FIXED_UNIT = {"amountEur": "EUR", "amountUsd": "USD", "duration": SECONDS}
LABEL_PROPS = ("role", "relationship", "summary", "purpose")
_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


def is_relationship(schema: str) -> bool:
    return schema in ENDS


def number(value: str) -> float | None:
    """The first number in a value ("25,5 %" -> 25.5, "1.200" stays 1.2)."""
    match = _NUMBER.search(value)
    return float(match.group().replace(",", ".")) if match else None


def _amount(props: Mapping[str, list[str]]) -> tuple[float | None, str | None]:
    """The first amount a relationship states and its unit (None when it has none or
    its currency is not said)."""
    for prop in AMOUNT_PROPS:
        for value in props.get(prop, []):
            found = number(value)
            if found is not None:
                stated = next((c.strip().upper() for c in props.get("currency", [])), None)
                return found, FIXED_UNIT.get(prop, (stated or "")[:8] or None)
    return None, None


def relationship_edges(
    rows: Sequence[StatementRow], canonical: Callable[[str, str], str | None]
) -> list[Edge]:
    """The edges of one relationship entity; ``canonical(source, entity_id)`` gives the
    subject an end belongs to (None when the end was never loaded). An edge whose ends
    are one subject is kept as the store keeps it when resolution joins them: readers
    never see it (``graph_store.EdgeFilter``), and a split brings it back."""
    first = rows[0]
    ends = ENDS[first.schema]
    props: dict[str, list[str]] = {}
    for row in rows:
        props.setdefault(row.prop, []).append(row.value)
    dates = sorted(props.get("date", []) + props.get("startDate", []))
    ends_at = sorted(props.get("endDate", []) + props.get("date", []))
    amount, unit = _amount(props)
    share = next((number(v) for v in props.get("percentage", [])), None)
    label = next((v for p in LABEL_PROPS for v in props.get(p, [])), None)
    out = []
    for src_entity in sorted(set(props.get(ends[0], []))):
        for dst_entity in sorted(set(props.get(ends[1], []))):
            src, dst = canonical(first.source, src_entity), canonical(first.source, dst_entity)
            if src is None or dst is None:  # an end never loaded
                continue
            out.append(
                Edge(
                    src,
                    dst,
                    first.schema,
                    first.entity_id,
                    first.canonical_id,
                    src_entity,
                    dst_entity,
                    first.source,
                    first.source,
                    ends[2],
                    dates[0][:32] if dates else None,
                    ends_at[-1][:32] if ends_at else None,
                    amount,
                    share,
                    label,
                    unit,
                )
            )
    return out


def shared_edges(holders: Mapping[tuple[str, str], Iterable[tuple[str, str]]]) -> list[Edge]:
    """Edges between the subjects holding each (field, value); ``holders`` maps the
    value to its (canonical id, source) holders. Values held by more than ``HUB``
    subjects are skipped."""
    out = []
    for (field, value), found in holders.items():
        docs = sorted(set(found))
        if len({cid for cid, _ in docs}) > HUB:
            continue
        for (a, sa), (b, sb) in combinations(docs, 2):
            if a != b:
                out.append(
                    Edge(
                        a,
                        b,
                        f"same:{field}",
                        f"{field}:{value}",
                        None,
                        None,
                        None,
                        sa,
                        sb,
                        False,
                        label=value,
                    )
                )
    return out
