"""Oversight reports over the ledger: by user, subject, case, unseals, justifications."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import TextIO

from casegraph.errors import InvalidInput
from casegraph.model.audit import ACTIONS, CONSULTATION, Entry


def is_consultation(action: str) -> bool:
    """A person read (or disclosed) subject data: by the registry of actions."""
    return ACTIONS.get(action) == CONSULTATION


def _about(entry: Entry, subject: str) -> bool:
    subjects = entry.refs.get("subjects")
    return entry.refs.get("subject") == subject or (
        isinstance(subjects, list) and subject in subjects
    )
KINDS = ("all", "consultations", "unseal", "justification-only", "denied")


def select_entries(
    entries: Iterable[Entry],
    *,
    user: str | None = None,
    subject: str | None = None,
    case_id: str | None = None,
    kind: str = "all",
) -> Iterator[Entry]:
    if kind not in KINDS:
        raise InvalidInput(f"unknown report kind {kind!r}; use one of: {', '.join(KINDS)}")
    for entry in entries:
        if user is not None and entry.actor != user:
            continue
        if case_id is not None and entry.case_id != case_id:
            continue
        if subject is not None and not _about(entry, subject):
            continue
        if kind == "consultations" and not is_consultation(entry.action):
            continue
        if kind == "unseal" and not entry.action.startswith("unseal"):
            continue
        if kind == "justification-only" and (
            entry.case_id is not None or not is_consultation(entry.action)
        ):
            continue
        if kind == "denied" and entry.outcome != "denied":
            continue
        yield entry


FIELDS = ["seq", "at", "actor", "action", "case_id", "justification", "refs", "outcome",
          "request_id", "hash"]  # fmt: skip


def _row(entry: Entry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="seconds"),
        "actor": entry.actor,
        "action": entry.action,
        "case_id": entry.case_id,
        "justification": entry.justification,
        "refs": entry.refs,
        "outcome": entry.outcome,
        "request_id": entry.request_id,
        "hash": entry.hash,
    }


# a spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...)
# in a justification would be a link, or worse, in the auditor's spreadsheet)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A text cell as a spreadsheet shows it, never runs it: one that starts like a
    formula gets a leading single quote (OWASP's advice for CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_report(entries: Iterable[Entry], out: TextIO, fmt: str) -> int:
    count = 0
    if fmt == "json":
        for entry in entries:
            out.write(json.dumps(_row(entry), ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for entry in entries:
        row = _row(entry)
        row["refs"] = json.dumps(entry.refs, sort_keys=True, ensure_ascii=False)
        writer.writerow({key: csv_cell(value) for key, value in row.items()})
        count += 1
    return count
