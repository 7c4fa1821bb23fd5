"""The streaming ingest pipeline: records -> entities -> statements, in batches.

Each batch of statements, its rejects and the run's counters commit together, so
the store is consistent whenever the process stops (Ctrl-C, ``kill -9``, power
loss). Statement ids are content hashes and writes are upserts, so running the
same command again completes an interrupted ingest without duplicates.
"""

from __future__ import annotations

import contextlib
import queue
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import Connection

from casegraph.ingest.cleaning import Cleaner
from casegraph.ingest.mapper import Mapped, QueryMapper, map_ftm_entity, statement_rows
from casegraph.ingest.mapping import MappingPlan, QueryPlan, sha256_file
from casegraph.ingest.readers import JsonLinesReader, Reader, ReadOptions, RowError
from casegraph.model.clock import utcnow
from casegraph.model.statements import StatementRow, more_specific
from casegraph.store import runs
from casegraph.store.statements import count_statements, upsert_statements


class Transaction(Protocol):
    """What the pipeline needs of a session: its connection, commits, audit entries."""

    conn: Connection

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def record(self, action: str, refs: dict[str, Any] | None = None) -> None: ...


class IngestInterrupted(Exception):
    def __init__(self, summary: IngestSummary) -> None:
        super().__init__("ingest interrupted")
        self.summary = summary


@dataclass
class IngestSummary:
    run_id: int
    source: str
    status: str = runs.RUNNING
    records_read: int = 0
    entities: int = 0
    statements: int = 0
    new_statements: int = 0
    rejected: int = 0


Progress = Callable[[str, int, int], None]
"""Called with (file label, position, total) as reading advances."""


@dataclass
class _Unit:
    """One reader with the function that maps its records."""

    reader: Reader
    records: Callable[[], Iterator[tuple[int, Any]]]
    mapper: Callable[[Any], Mapped]
    record_key: Callable[[int], str]


def _mapping_units(plan: MappingPlan, cleaner: Cleaner) -> Iterator[_Unit]:
    for query in plan.queries:
        mapper = QueryMapper(query.mapping, cleaner, query.each)
        if query.sql is not None:
            yield _sql_unit(query, mapper)
            continue
        for reader in query.readers:
            yield _file_unit(query, reader, mapper)


def _file_unit(query: QueryPlan, reader: Reader, mapper: QueryMapper) -> _Unit:
    def records() -> Iterator[tuple[int, Any]]:
        for line, record in reader:
            if isinstance(record, RowError) or query.accepts(record):
                yield line, record

    label = reader.label
    return _Unit(reader, records, mapper.map, lambda line: f"{label}:{line}")


class _SqlReader(Reader):
    def __init__(self, query: QueryPlan) -> None:
        assert query.sql is not None
        self.sql = query.sql
        self.path = Path(self.sql.database_uri)
        self.options = ReadOptions()
        self.position = 0
        self.total = len(self.sql)
        self.name = "+".join(t.alias.name for t in self.sql.tables)

    @property
    def label(self) -> str:
        return self.name


def _sql_unit(query: QueryPlan, mapper: QueryMapper) -> _Unit:
    reader = _SqlReader(query)

    def records() -> Iterator[tuple[int, Any]]:
        for number, record in enumerate(reader.sql.records, start=1):
            reader.position = number
            yield number, record

    label = f"query{query.index + 1}:{reader.label}"
    return _Unit(reader, records, mapper.map, lambda line: f"{label}:{line}")


def _ftm_unit(path: Path, cleaner: Cleaner) -> _Unit:
    reader = JsonLinesReader(path, ReadOptions(), flat=False)
    label = path.name
    return _Unit(
        reader, reader.raw, lambda data: map_ftm_entity(data, cleaner), lambda n: f"{label}:{n}"
    )


class Ingest:
    """Runs one ingest of one source inside a session's transaction."""

    def __init__(
        self,
        tx: Transaction,
        *,
        source: str,
        operator: str,
        batch_size: int = 5000,
        progress: Progress | None = None,
    ) -> None:
        self.tx = tx
        self.source = source
        self.operator = operator
        self.batch_size = batch_size
        self.progress = progress
        self.cleaner = Cleaner()

    def mapping(self, plan: MappingPlan) -> IngestSummary:
        inputs = [{"file": p.name, "sha256": sha256_file(p)} for p in plan.input_files()]
        units = list(_mapping_units(plan, self.cleaner))
        return self._run(str(plan.path), plan.sha256, inputs, units)

    def ftm(self, path: Path) -> IngestSummary:
        inputs = [{"file": path.name, "sha256": sha256_file(path)}]
        return self._run(f"ftm:{path}", None, inputs, [_ftm_unit(path, self.cleaner)])

    def _run(
        self, mapping: str, digest: str | None, inputs: list[dict[str, str]], units: list[_Unit]
    ) -> IngestSummary:
        conn = self.tx.conn
        started = utcnow()
        runs.close_abandoned_runs(conn, self.source, started)
        run_id = runs.start_run(
            conn,
            source=self.source,
            operator=self.operator,
            mapping=mapping,
            mapping_sha256=digest,
            inputs=inputs,
            now=started,
        )
        before = count_statements(conn, self.source)
        self.tx.record("ingest.start", {"run": run_id, "source": self.source, "inputs": inputs})
        self.tx.commit()
        summary = IngestSummary(run_id=run_id, source=self.source)
        try:
            with _graceful_interrupt() as stopping:
                self._stream(units, summary, started, stopping)
            if stopping.is_set():
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            with _no_interrupts():
                self._abandon(summary, runs.INTERRUPTED, before, "interrupted by the operator")
            raise IngestInterrupted(summary) from None
        except BaseException as exc:
            with _no_interrupts():
                self._abandon(summary, runs.FAILED, before, f"{type(exc).__name__}: {exc}")
            raise
        status = runs.COMPLETED if summary.records_read else runs.FAILED
        self._finish(summary, status, before, None if summary.records_read else "no records read")
        return summary

    def _abandon(self, summary: IngestSummary, status: str, before: int, message: str) -> None:
        """Drop the uncommitted batch and record why the run stopped."""
        try:
            self.tx.rollback()
        except Exception:  # the driver was stopped half-way through a command: start afresh
            self.tx.conn.invalidate()
            self.tx.rollback()
        self._finish(summary, status, before, message)

    def _finish(
        self, summary: IngestSummary, status: str, before: int, message: str | None
    ) -> None:
        conn = self.tx.conn
        summary.status = status
        summary.new_statements = count_statements(conn, self.source) - before
        runs.finish_run(conn, summary.run_id, status, utcnow(), message)
        self.tx.record(
            "ingest.finish",
            {"run": summary.run_id, "source": self.source, "status": status,
             "records": summary.records_read, "statements": summary.statements,
             "new_statements": summary.new_statements, "rejected": summary.rejected},
        )  # fmt: skip
        self.tx.commit()

    def _stream(
        self,
        units: list[_Unit],
        summary: IngestSummary,
        seen: datetime,
        stopping: threading.Event,
    ) -> None:
        """Map records in a worker thread while this thread writes the batches.

        Writing (SQLite's ``executemany``, PostgreSQL's ``COPY``) releases the GIL,
        so mapping the next batch overlaps with storing the last one. The queue is
        bounded: memory stays at a few batches whatever the input size.
        """
        batches: queue.Queue[_Batch | BaseException | None] = queue.Queue(maxsize=2)
        stop = threading.Event()
        worker = threading.Thread(
            target=self._produce, args=(units, seen, batches, stop), daemon=True
        )
        worker.start()
        try:
            while not stopping.is_set():
                try:
                    item = batches.get(timeout=0.2)
                except queue.Empty:
                    continue
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                self._write(item, summary)
                if self.progress is not None and item.progress is not None:
                    self.progress(*item.progress)
        finally:
            stop.set()
            while worker.is_alive():
                with contextlib.suppress(queue.Empty):  # unblock a worker waiting to put
                    batches.get(timeout=0.05)
            worker.join()

    def _produce(
        self,
        units: list[_Unit],
        seen: datetime,
        out: queue.Queue[_Batch | BaseException | None],
        stop: threading.Event,
    ) -> None:
        try:
            batch = _Batch()
            for unit in units:
                label = unit.reader.label
                for line, record in unit.records():
                    if stop.is_set():
                        return
                    batch.add(unit, label, line, record, self.source, seen)
                    full = max(len(batch.rows), batch.records, len(batch.rejects))
                    if full >= self.batch_size:
                        batch.progress = (label, unit.reader.position, unit.reader.total)
                        out.put(batch)
                        batch = _Batch()
                batch.progress = (label, unit.reader.total, unit.reader.total)
            out.put(batch)
            out.put(None)
        except BaseException as exc:
            out.put(exc)

    def _write(self, batch: _Batch, summary: IngestSummary) -> None:
        conn = self.tx.conn
        written = upsert_statements(conn, list(batch.rows.values()))
        runs.insert_rejects(conn, summary.run_id, self.source, batch.rejects)
        runs.record_progress(
            conn,
            summary.run_id,
            records=summary.records_read + batch.records,
            entities=summary.entities + batch.entities,
            statements=summary.statements + written,
            rejected=summary.rejected + len(batch.rejects),
        )
        self.tx.record(
            "ingest.batch",
            {"run": summary.run_id, "source": self.source, "records": batch.records,
             "statements": written, "rejected": len(batch.rejects)},
        )  # fmt: skip
        self.tx.commit()
        summary.records_read += batch.records
        summary.entities += batch.entities
        summary.statements += written
        summary.rejected += len(batch.rejects)


@contextlib.contextmanager
def _graceful_interrupt() -> Iterator[threading.Event]:
    """Turn the first Ctrl-C into a request to stop between batches.

    A ``KeyboardInterrupt`` raised inside the database driver can leave the
    connection half-way through a command; a flag checked between batches cannot.
    A second Ctrl-C interrupts at once.
    """
    stopping = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stopping
        return

    def request_stop(signum: int, frame: object) -> None:
        stopping.set()
        signal.signal(signal.SIGINT, previous)

    previous = signal.signal(signal.SIGINT, request_stop)
    try:
        yield stopping
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _no_interrupts() -> Iterator[None]:
    """Hold a second Ctrl-C back while the run records that it was interrupted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass
class _Batch:
    """Statements (deduplicated by id) and rejects of consecutive records."""

    rows: dict[str, StatementRow] = field(default_factory=dict)
    rejects: list[runs.Reject] = field(default_factory=list)
    records: int = 0
    entities: int = 0
    progress: tuple[str, int, int] | None = None

    def add(
        self, unit: _Unit, label: str, line: int, record: Any, source: str, seen: datetime
    ) -> None:
        if isinstance(record, RowError):
            self.rejects.append(runs.Reject(label, line, record.field, record.value, record.reason))
            return
        self.records += 1
        mapped = unit.mapper(record)
        for refused in mapped.refused:
            self.rejects.append(
                runs.Reject(label, line, refused.field, refused.value, refused.reason)
            )
        self.entities += len(mapped.entities)
        rows = self.rows
        for row in statement_rows(mapped, source, unit.record_key(line), seen):
            held = rows.get(row.id)
            if held is None:
                rows[row.id] = row
            elif held.schema != row.schema:
                rows[row.id] = held._replace(schema=more_specific(held.schema, row.schema))
