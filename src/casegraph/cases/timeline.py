"""A case's timeline: what happened in the case, and the dated facts of its subjects."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any


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
