"""Case tasks: how a task is shown, its checklist, and which changes it takes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from casegraph.cases.rules import TASK_STATUSES, CaseError, choice, written


def iso(value: Any) -> Any:
    """Dates and times as ISO text, anything else as it is (rows as the API shows them)."""
    return value.isoformat() if isinstance(value, date | datetime) else value


def plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: iso(v) for k, v in row.items()}


def shown(row: dict[str, Any]) -> dict[str, Any]:
    """A task row as the API shows it, its checklist a list."""
    out = plain(row)
    out["checklist"] = json.loads(row["checklist"])
    return out


def checklist(items: Iterable[Any]) -> list[dict[str, Any]]:
    """Checklist items from texts or {text, done} objects; every item needs a text."""
    out = []
    for item in items:
        if isinstance(item, str):
            item = {"text": item, "done": False}
        text = str(item.get("text", "")).strip()
        if not text:
            raise CaseError("a checklist item needs a text")
        out.append({"text": text, "done": bool(item.get("done", False))})
    return out


def changes(
    case_id: str, asked: dict[str, Any], is_member: Callable[[str], bool]
) -> dict[str, Any]:
    """The column values of the changes asked for (None: unchanged), each checked."""
    values: dict[str, Any] = {}
    for name, value in asked.items():
        if value is None:
            continue
        if name == "status":
            values[name] = choice("task status", value, TASK_STATUSES)
        elif name == "assignee":
            if not is_member(value):
                raise CaseError(f"{value} is not a member of case {case_id}; add them first")
            values[name] = value
        elif name == "checklist":
            values[name] = json.dumps(checklist(value))
        elif name == "title":
            values[name] = written("a task title", value, 3)
        elif name in ("description", "due_on"):
            values[name] = value
        else:
            raise CaseError(f"a task has no field {name!r}")
    return values
