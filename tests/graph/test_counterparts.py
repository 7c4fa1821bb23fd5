"""Activity by counterpart, summed by the database: for any set of calls and payments,
each counterpart row's count equals its events, its totals per currency equal the exact
sum of its payments, call time is never added to money, and the single events behind a
row are the ones it counts. The month histogram counts every dated event once."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from casegraph.access.context import AccessContext
from casegraph.graph.counterparts import histogram
from casegraph.model.amounts import SECONDS, rounded
from casegraph.model.edges import Edge
from casegraph.service import Workspace
from casegraph.store import graph_store
from casegraph.store.tables import edges
from tests.conftest import add_source

ME = "me"
OTHERS = ("anna", "bank-x", "carl")
event = st.tuples(
    st.sampled_from(["Payment", "Call"]),
    st.booleans(),  # outgoing (the subject pays or calls)
    st.sampled_from(OTHERS),
    st.integers(min_value=1, max_value=10**9),  # cents, or seconds for a call
    st.sampled_from(["EUR", "USD", "JPY"]),
    st.one_of(st.none(), st.dates().map(lambda d: d.isoformat())),
    st.sampled_from(["bank", "phone"]),
)


def _edges(events: list[tuple[Any, ...]]) -> list[Edge]:
    out = []
    for i, (kind, outgoing, other, number, currency, day, source) in enumerate(events):
        src, dst = (ME, other) if outgoing else (other, ME)
        call = kind == "Call"
        amount = float(number) if call or currency == "JPY" else number / 100
        out.append(Edge(src, dst, kind, f"{kind}-{i}", f"{kind}-{i}", None, None, source,
                        source, True, day, day, amount, None, None,
                        SECONDS if call else currency))  # fmt: skip
    return out


def _expected(rows: list[Edge]) -> dict[tuple[str, str, str], tuple[int, dict[str, Decimal]]]:
    counts: Counter[tuple[str, str, str]] = Counter()
    sums: dict[tuple[str, str, str], dict[str, Decimal]] = defaultdict(dict)
    for e in rows:
        key = (e.dst if e.src == ME else e.src, e.kind, "out" if e.src == ME else "in")
        counts[key] += 1
        unit = e.unit or ""
        sums[key][unit] = sums[key].get(unit, Decimal(0)) + Decimal(repr(e.amount))
    return {k: (counts[k], sums[k]) for k in counts}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(event, min_size=1, max_size=60))
def test_counterpart_totals_are_the_sums_of_their_events(
    workspace: Workspace, ctx: AccessContext, events: list[tuple[Any, ...]]
) -> None:
    rows = _edges(events)
    with workspace.session(ctx) as s:
        for name in ("bank", "phone"):
            if name not in {src.name for src, _ in s.sources.list_visible()}:
                add_source(s, name)
        s.conn.execute(delete(edges))
        graph_store.insert_edges(s.conn, rows)
        s.commit()
    with workspace.session(ctx) as s:
        found = s.graph.relations(ME)
        singles = {
            (c["other"], c["kind"]): s.graph.events(ME, c["other"], [c["kind"]], limit=500)
            for c in found["activity"]
        }
    expected = _expected(rows)
    got = {(c["other"], c["kind"], c["way"]): c for c in found["activity"]}
    assert set(got) == set(expected)
    for key, (count, sums) in expected.items():
        row = got[key]
        assert row["count"] == count
        totals = {t["unit"] or "": Decimal(repr(t["amount"])) for t in row["totals"]}
        want = {u: (v if u == SECONDS else rounded(v, u)) for u, v in sums.items()}
        assert totals == want  # per currency, call time apart, to the minor unit
        assert all(t["text"].endswith(t["unit"]) or t["unit"] == SECONDS for t in row["totals"])
    for (other, kind), page in singles.items():
        both_ways = sum(c for (o, k, _), (c, _) in expected.items() if (o, k) == (other, kind))
        assert page["total"] == len(page["events"]) == both_ways
        assert {e["kind"] for e in page["events"]} == {kind}
    dated = Counter(e.start_date[:7] for e in rows if e.start_date)
    assert {m["month"]: m["count"] for m in found["histogram"] if m["count"]} == dict(dated)


def test_histogram_fills_the_empty_months() -> None:
    months = histogram([("2021-11", "Call", 2), ("2022-02", "Payment", 1), ("2022-02", "Call", 3)])
    assert [m["month"] for m in months] == ["2021-11", "2021-12", "2022-01", "2022-02"]
    assert [m["count"] for m in months] == [2, 0, 0, 4]
    assert months[-1]["kinds"] == {"Payment": 1, "Call": 3}
