"""Readers turn source files into records (``dict[str, str]``) numbered by line.

Every reader yields ``(line, record)`` for good rows and ``(line, RowError)`` for
rows it could not read (undecodable bytes, wrong column count, broken JSON), so the
pipeline can skip them, record a reject and go on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from followthemoney.util import sanitize_text

from casegraph.errors import InvalidInput
from casegraph.ingest.encoding import check_encoding, detect_encoding

Record = dict[str, str]

TEXT_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "csv"}
JSON_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".ijson": "jsonl"}
FORMATS = {**TEXT_FORMATS, **JSON_FORMATS, ".xlsx": "xlsx"}

csv.field_size_limit(64 * 1024 * 1024)


@dataclass(frozen=True)
class RowError:
    reason: str
    field: str | None = None
    value: str | None = None


@dataclass
class ReadOptions:
    """Query-level reading options (mapping keys or CLI flags)."""

    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    fieldnames: list[str] | None = None
    null_values: set[str] = field(default_factory=set)
    sheet: str | None = None


def file_format(path: Path, options: ReadOptions) -> str:
    if options.format:
        return options.format
    return FORMATS.get(path.suffix.lower(), "csv")


def clean_record(raw: Iterable[tuple[str, Any]], null_values: set[str]) -> Record:
    """Keep cell text as written (surrounding blanks matter in FtM templates) but drop
    empty cells, the file's null markers and characters that are unsafe in text."""
    record: Record = {}
    for key, value in raw:
        if value is None:
            continue
        text = value if isinstance(value, str) else _scalar_text(value)
        clean = sanitize_text(text)
        if clean is None or clean in null_values:
            continue
        record[key] = text if clean == text.strip() else clean
    return record


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class Reader:
    """Base class: a file, its size for progress, and records with line numbers."""

    def __init__(self, path: Path, options: ReadOptions) -> None:
        self.path = path
        self.options = options
        self.position = 0  # progress, in the unit of ``total``
        self.total = path.stat().st_size

    @property
    def label(self) -> str:
        return self.path.name

    def columns(self) -> set[str]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[tuple[int, Record | RowError]]:
        raise NotImplementedError


class DelimitedReader(Reader):
    """CSV and TSV, in any single-byte or UTF encoding, with or without a header row."""

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        self.encoding = check_encoding(options.encoding or detect_encoding(path))
        self.delimiter = options.delimiter or self._guess_delimiter()
        self._bad_lines: set[int] = set()

    def _guess_delimiter(self) -> str:
        if file_format(self.path, self.options) == "tsv":
            return "\t"
        with self.path.open("rb") as fh:
            sample = fh.read(65536).decode(self.encoding, errors="replace")
        try:
            return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            return ","

    def _lines(self) -> Iterator[str]:
        decoder_name = self.encoding
        with self.path.open("rb") as fh:
            if decoder_name.startswith(("utf-16", "utf-32")):  # newline is not one byte
                text = io.TextIOWrapper(fh, encoding=decoder_name, newline="")
                for line in text:
                    self.position = fh.tell()
                    yield line
                return
            for number, raw in enumerate(fh, start=1):
                self.position += len(raw)
                try:
                    yield raw.decode(decoder_name)
                except UnicodeDecodeError:
                    self._bad_lines.add(number)
                    yield raw.decode(decoder_name, errors="replace")

    def _rows(self) -> Iterator[tuple[int, int, list[str]]]:
        reader = csv.reader(self._lines(), delimiter=self.delimiter, skipinitialspace=True)
        last = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield last + 1, reader.line_num, [f"\x00csv error: {exc}"]
                last = reader.line_num
                continue
            yield last + 1, reader.line_num, row
            last = reader.line_num

    def header(self) -> list[str]:
        if self.options.fieldnames:
            return list(self.options.fieldnames)
        try:
            for _start, _end, row in self._rows():
                if row:
                    return _header_names(row)
            return []
        finally:
            self.position = 0

    def columns(self) -> set[str]:
        return set(self.header())

    def __iter__(self) -> Iterator[tuple[int, Record | RowError]]:
        header: list[str] | None = list(self.options.fieldnames or []) or None
        nulls = self.options.null_values
        for start, end, row in self._rows():
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if row[0].startswith("\x00csv error: "):
                yield start, RowError(row[0][1:])
                continue
            if header is None:
                header = _header_names(row)
                continue
            if any(n in self._bad_lines for n in range(start, end + 1)):
                yield (
                    start,
                    RowError(
                        f"undecodable bytes for encoding {self.encoding}; "
                        "re-run with --encoding (e.g. --encoding cp1252)"
                    ),
                )
                continue
            if len(row) != len(header):
                yield start, RowError(f"expected {len(header)} columns, found {len(row)}")
                continue
            yield start, clean_record(zip(header, row, strict=True), nulls)


def _header_names(row: list[str]) -> list[str]:
    names = []
    for index, name in enumerate(row, start=1):
        name = name.strip().lstrip("\ufeff")
        names.append(name or f"column_{index}")
    return names


class XlsxReader(Reader):
    """The first (or the named) sheet of an Excel workbook; row 1 is the header."""

    def __init__(self, path: Path, options: ReadOptions) -> None:
        super().__init__(path, options)
        from openpyxl import load_workbook

        self._book = load_workbook(path, read_only=True, data_only=True)
        if options.sheet is not None:
            if options.sheet not in self._book.sheetnames:
                raise InvalidInput(
                    f"sheet {options.sheet!r} not found; the workbook has: "
                    + ", ".join(self._book.sheetnames)
                )
            self._sheet = self._book[options.sheet]
        else:
            self._sheet = self._book.worksheets[0]
        self.total = int(self._sheet.max_row or 0)

    @property
    def label(self) -> str:
        return f"{self.path.name}[{self._sheet.title}]"

    def _header(self) -> list[str]:
        if self.options.fieldnames:
            return list(self.options.fieldnames)
        for row in self._sheet.iter_rows(min_row=1, max_row=1, values_only=True):
            return _header_names([_scalar_text(v) if v is not None else "" for v in row])
        return []

    def columns(self) -> set[str]:
        return set(self._header())

    def __iter__(self) -> Iterator[tuple[int, Record | RowError]]:
        header = self._header()
        first = 1 if self.options.fieldnames else 2
        nulls = self.options.null_values
        for number, row in enumerate(
            self._sheet.iter_rows(min_row=first, values_only=True), start=first
        ):
            self.position = number
            values = list(row)
            while values and values[-1] is None:
                values.pop()
            if not values:
                continue
            if len(values) > len(header):
                yield number, RowError(f"expected {len(header)} columns, found {len(values)}")
                continue
            yield number, clean_record(zip(header, values, strict=False), nulls)
        self._book.close()


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Nested JSON objects become dotted keys; list items get their index."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from flatten(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix, value


class JsonLinesReader(Reader):
    """One JSON object per line; nested objects are flattened to dotted column names."""

    def __init__(self, path: Path, options: ReadOptions, flat: bool = True) -> None:
        super().__init__(path, options)
        self.encoding = check_encoding(options.encoding or "utf-8-sig")
        self.flat = flat

    def raw(self) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
        with self.path.open("rb") as fh:
            for number, line in enumerate(fh, start=1):
                self.position += len(line)
                if not line.strip():
                    continue
                try:
                    data = json.loads(line.decode(self.encoding))
                except UnicodeDecodeError:
                    yield number, RowError(f"undecodable bytes for encoding {self.encoding}")
                    continue
                except json.JSONDecodeError as exc:
                    yield number, RowError(f"invalid JSON: {exc.msg} at column {exc.colno}")
                    continue
                if not isinstance(data, dict):
                    yield number, RowError("expected a JSON object on each line")
                    continue
                yield number, data

    def columns(self) -> set[str]:
        names: set[str] = set()
        for _number, data in self.raw():
            if isinstance(data, dict):
                names.update(key for key, _ in flatten(data))
        self.position = 0
        return names

    def __iter__(self) -> Iterator[tuple[int, Record | RowError]]:
        nulls = self.options.null_values
        for number, data in self.raw():
            if isinstance(data, RowError):
                yield number, data
            else:
                yield number, clean_record(flatten(data), nulls)


def open_reader(path: Path, options: ReadOptions) -> Reader:
    kind = file_format(path, options)
    if kind == "xlsx":
        return XlsxReader(path, options)
    if kind == "jsonl":
        return JsonLinesReader(path, options)
    if kind in ("csv", "tsv"):
        return DelimitedReader(path, options)
    raise InvalidInput(f"unknown format {kind!r} (use csv, tsv, xlsx or jsonl)")
