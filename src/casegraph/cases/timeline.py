"""A case's timeline: what happened in the case, and the dated facts of its subjects."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from followthemoney import model as ftm

from casegraph.model.amounts import measure
from casegraph.model.statements import StatementRow


@dataclass(frozen=True)
class Event:
    at: str  # ISO date or date-time; facts may be a year or a month only
    kind: str  # case.opened, task.created, note.created, evidence.added, ... or fact:<kind>
    summary: str
    subject: str | None = None  # the canonical id a fact is about
    sources: tuple[str, ...] = ()
    ref: str | None = None

    @property
    def is_fact(self) -> bool:
        return self.kind.startswith("fact:")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["sources"] = list(self.sources)
        return out


def merge(
    events: Iterable[Event], subject: str | None = None, kinds: Sequence[str] = ()
) -> list[Event]:
    """Oldest first; ``subject`` keeps that subject's facts (and no case events),
    ``kinds`` keeps events whose kind, or its family, is listed: "task" for every
    "case.task.*", "fact" for every "fact:*"."""
    chosen = []
    for event in events:
        if subject is not None and event.subject != subject:
            continue
        family = (
            event.kind.split(".")[1]
            if event.kind.startswith("case.")
            else (event.kind.split(":")[0])
        )
        if kinds and event.kind not in kinds and family not in kinds:
            continue
        chosen.append(event)
    return sorted(chosen, key=lambda e: (e.at, e.kind, e.summary))


def fact_events(rows: Iterable[StatementRow], linked: Collection[str]) -> list[Event]:
    """The dated facts (statements of a date property) of the linked subjects."""
    events = []
    for row in rows:
        if row.prop_type != "date" or row.canonical_id not in linked:
            continue
        schema = ftm.get(row.schema)
        prop = schema.get(row.prop) if schema else None
        label = prop.label if prop else row.prop
        events.append(Event(row.value, f"fact:{row.prop}", f"{label}: {row.value}",
                            subject=row.canonical_id, sources=(row.source,)))  # fmt: skip
    return events


def contact_events(
    rows: Iterable[Any], linked: Collection[str], captions: Mapping[str, str]
) -> list[Event]:
    """The dated calls and payments at the linked subjects (edges as the store reads
    them), once from each linked end, with the direction and the other end's caption."""
    events = []
    seen: set[tuple[int, str]] = set()
    for r in rows:
        for here, there in ((r.src, r.dst), (r.dst, r.src)):
            if here not in linked or (r.id, here) in seen or not r.start_date:
                continue
            seen.add((r.id, here))
            what = "Call" if r.kind == "Call" else "Payment"
            amount = f" ({measure(r.amount, r.unit)})" if r.amount is not None else ""
            direction = "to" if here == r.src else "from"
            events.append(
                Event(
                    r.start_date,
                    f"fact:{r.kind.lower()}",
                    f"{what} {direction} {captions[there]}{amount}",
                    subject=here,
                    sources=tuple(sorted({r.source, r.source2} - {None})),
                    ref=there,
                )
            )
    return events


def once(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline with each fact once: entries alike but for their source (the same
    birth date from three sources) as one, with every source."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for event in events:
        key = (event.get("at"), event.get("kind"), event.get("summary"), event.get("subject"),
               event.get("ref"))  # fmt: skip
        if key in out and str(event.get("kind", "")).startswith("fact:"):
            kept = out[key]["sources"]
            kept += [s for s in event.get("sources") or [] if s not in kept]
            continue
        out[key if key not in out else (*key, len(out))] = {
            **event,
            "sources": list(event.get("sources") or []),
        }
    return list(out.values())
