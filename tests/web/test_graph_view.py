"""What the graph explorer draws: parallel edges merged per kind and direction, with
totals per unit (money per currency, call time as a duration), and a path's steps in
the direction the edges are stored."""

from __future__ import annotations

from typing import Any

from casegraph.model.edges import kind_label
from casegraph.web import graph_view


def edge(id_: int, src: str, dst: str, kind: str = "Payment", amount: float | None = None,
         unit: str | None = None, day: str = "2023-01-0{}", directed: bool = True,
         **more: Any) -> dict[str, Any]:  # fmt: skip
    return {"id": id_, "src": src, "dst": dst, "kind": kind, "directed": directed,
            "sources": ["bank"], "source": "bank", "start_date": day.format(id_ % 9 + 1),
            "end_date": None, "amount": amount, "unit": unit, "share": None, "label": None,
            **more}  # fmt: skip


def test_a_line_totals_its_payments_per_currency_and_keeps_direction() -> None:
    edges = [
        edge(1, "a", "b", amount=0.1, unit="EUR"),
        edge(2, "a", "b", amount=0.2, unit="EUR"),
        edge(3, "a", "b", amount=1000, unit="USD"),
        edge(4, "b", "a", amount=5, unit="EUR"),
    ]
    lines = {line["id"]: line for line in graph_view.links(edges)}
    ab, ba = lines["Payment|a|b"], lines["Payment|b|a"]
    assert (ab["src"], ab["dst"], ab["count"]) == ("a", "b", 3)
    assert [t["text"] for t in ab["totals"]] == [
        "0.30 EUR",
        "1,000.00 USD",
    ]  # not 0.1 nor 0.30000000000000004
    assert ab["caption"] == "Payment \u00d73 \u00b7 0.30 EUR \u00b7 1,000.00 USD"
    assert (ba["src"], ba["count"], ba["totals"][0]["text"]) == ("b", 1, "5.00 EUR")
    assert ab["dates"] == "2023-01-02 \u2013 2023-01-04" and ab["ends"] == ["payer", "beneficiary"]


def test_calls_total_their_time_and_an_unknown_unit_shows_no_currency() -> None:
    calls = [edge(1, "a", "b", "Call", 3000, "s"), edge(2, "a", "b", "Call", 1976, "s")]
    assert graph_view.links(calls)[0]["totals"] == [
        {"unit": "s", "value": "4976.0", "text": "1 h 22 min 56 s"}
    ]
    unknown = graph_view.links([edge(1, "a", "b", amount=12.5), edge(2, "a", "b", amount=1)])
    assert [t["text"] for t in unknown[0]["totals"]] == ["13.50"]
    no_unit_key = {k: v for k, v in edge(3, "a", "b", amount=2).items() if k != "unit"}
    assert graph_view.totals([no_unit_key])[0]["text"] == "2.00"


def test_undirected_edges_are_one_line_whichever_end_comes_first() -> None:
    shared = [edge(1, "b", "a", "same:address", directed=False),
              edge(2, "a", "b", "same:address", directed=False)]  # fmt: skip
    (line,) = graph_view.links(shared)
    assert (line["id"], line["count"]) == ("same:address|a|b", 2)
    assert line["kind_name"] == "Shared address"


def test_a_path_lists_each_step_as_stored() -> None:
    nodes = [{"id": n, "caption": n.upper(), "schema": "Person", "sealed": False} for n in "abc"]
    found = {"hops": 2, "nodes": nodes, "steps": [
        {"from": "a", "to": "b", "edges": [edge(1, "b", "a", amount=10, unit="EUR")]},
        {"from": "b", "to": "c", "edges": [edge(2, "b", "c", "Call", 60, "s")]},
    ]}  # fmt: skip
    path = graph_view.path(found)
    first, second = (step["links"][0] for step in path["steps"])
    assert (first["src_caption"], first["dst_caption"], first["along"]) == ("B", "A", False)
    assert (second["src"], second["dst"], second["along"]) == ("b", "c", True)
    assert {line["id"] for line in path["links"]} == {"Payment|b|a", "Call|b|c"}


def test_kinds_switched_off_leave_every_other_kind() -> None:
    assert graph_view.kinds_without([]) == ()
    kept = graph_view.kinds_without(["Call"])
    assert "Call" not in kept and {"Payment", "CourtCaseParty", "same:phone"} <= set(kept)
    assert kind_label("CourtCaseParty") == "Court case party"
    assert kind_label("same:id") == "Shared identifier"
