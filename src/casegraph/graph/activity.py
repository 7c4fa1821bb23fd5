"""Calls and payments of one subject: counts, volume, first and last contact, activity
by month, and the counterparts, most frequent first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

ACTIVITY_KINDS = ("Call", "Payment")


Counterparts = list[tuple[str, dict[str, Any]]]


def summarise(subject: str, rows: Sequence[Any]) -> tuple[dict[str, Any], Counterparts]:
    """The summary of ``rows`` (edges as ``graph_store`` reads them) at ``subject``, and
    its counterparts with their own counts, most frequent first."""
    per: dict[str, dict[str, Any]] = {}
    months: Counter[str] = Counter()
    for row in rows:
        other = row.dst if row.src == subject else row.src
        way = "out" if row.src == subject else "in"
        item = per.setdefault(
            other,
            {"count": 0, "in": 0, "out": 0, "volume": 0.0, "first": None, "last": None,
             "kinds": set()},
        )  # fmt: skip
        item["count"] += 1
        item[way] += 1
        item["volume"] += row.amount or 0.0
        item["kinds"].add(row.kind)
        when = row.start_date
        if when:
            months[when[:7]] += 1
            item["first"] = min(filter(None, [item["first"], when]))
            item["last"] = max(filter(None, [item["last"], when]))
    dates = sorted(r.start_date for r in rows if r.start_date)
    counterparts = sorted(per.items(), key=lambda kv: (-kv[1]["count"], -kv[1]["volume"], kv[0]))
    summary = {
        "subject": subject,
        "count": len(rows),
        "by_kind": dict(Counter(r.kind for r in rows)),
        "volume": round(sum(r.amount or 0.0 for r in rows), 2),
        "first": dates[0] if dates else None,
        "last": dates[-1] if dates else None,
        "by_month": dict(sorted(months.items())),
    }
    return summary, counterparts
