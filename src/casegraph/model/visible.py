"""What one caller may see, as the session's gate granted it.

``Session.consult`` (a person reading for a purpose) and ``Session.process`` (background
work: indexing, resolution, retention, the graph read into memory) each check the
caller, record the entry, and return a ``Visible``. Store functions that read or write
subject data take one, never a bare list of source names: a path that skipped the gate
does not type-check, and a test checks that no other module makes one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

_GATE = object()  # only the session's gate passes this (tests/test_gate.py checks)


class Visible:
    """The sources a caller may see (in name order), the sealed subjects as of today
    (their canonical ids and the ids of their source entities, read when first asked
    for), and the ledger entry the access was recorded under."""

    __slots__ = ("_load_sealed", "_sealed", "complete", "entry", "processing", "sources")

    def __init__(
        self,
        sources: Iterable[str],
        entry: int | None,
        processing: bool,
        sealed: Callable[[], frozenset[str]],
        gate: object,
        complete: bool = False,
    ) -> None:
        if gate is not _GATE:
            raise TypeError("a Visible comes from Session.consult or Session.process only")
        self.sources: tuple[str, ...] = tuple(sorted(set(sources)))
        self.entry = entry
        self.processing = processing
        self.complete = complete  # every source there is: a filter on sources can go
        self._load_sealed = sealed
        self._sealed: frozenset[str] | None = None

    @property
    def sealed(self) -> frozenset[str]:
        """Canonical ids of sealed subjects and the entity ids of their records."""
        if self._sealed is None:
            self._sealed = self._load_sealed()
        return self._sealed

    def sees(self, source: str | None) -> bool:
        return source in self.sources

    def __bool__(self) -> bool:
        return bool(self.sources)

    def __repr__(self) -> str:
        return f"Visible(sources={self.sources!r}, entry={self.entry!r})"


def gate() -> object:
    """The token the session's gate hands to ``Visible`` (service.py alone calls this)."""
    return _GATE
