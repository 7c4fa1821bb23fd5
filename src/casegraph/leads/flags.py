"""The detectors red-flag rules name: patterns over the edges of a scope.

Each takes the edges the reader may see (``graph_store`` rows as dicts) and the rule's
parameters, and returns hits: the subjects, the edges that make the pattern (each with
its source), and what it is in words. No detector reads anything but edges, the
schemata of their ends and (``listed_nearby``) which subjects a screening confirmed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

import networkx as nx

from casegraph.leads.rules import Rule

Edge = dict[str, Any]


@dataclass
class Hit:
    rule: str
    subjects: list[str]
    edges: list[Edge]
    words: str
    weight: float  # how strong: the count, the amount, the share ...
    shape: str  # hub | payments | cycle | path | shared
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable across runs: the rule, the subjects and what joins them."""
        parts = sorted(f"{e['kind']}|{e['origin']}|{e['src']}|{e['dst']}" for e in self.edges)
        text = "\x1f".join([self.rule, *sorted(self.subjects), *parts])
        return hashlib.sha1(text.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Scope:
    edges: Sequence[Edge]
    schemata: dict[str, str]  # subject -> schema
    names: dict[str, str]  # subject -> display name
    listed: dict[str, str]  # subject -> the list it was confirmed on


def _day(text: str | None) -> date | None:
    if not text or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _name(scope: Scope, subject: str) -> str:
    return scope.names.get(subject) or subject


def hub(rule: Rule, scope: Scope) -> list[Hit]:
    p = rule.params
    groups: dict[str, set[str]] = defaultdict(set)
    by_group: dict[str, list[Edge]] = defaultdict(list)
    for e in scope.edges:
        if p["end"] == "origin":
            groups[e["origin"]].update((e["src"], e["dst"]))
            by_group[e["origin"]].append(e)
        else:
            holder, held = (e["src"], e["dst"]) if p["end"] == "src" else (e["dst"], e["src"])
            groups[holder].add(held)
            by_group[holder].append(e)
    wanted = set(p["schemata"])
    hits = []
    for key, members in groups.items():
        chosen = {m for m in members if not wanted or scope.schemata.get(m) in wanted}
        if len(chosen) < p["at_least"]:
            continue
        if p["end"] == "origin":
            words = f"{len(chosen)} companies share one address: {key.split(':', 1)[-1]}"
            subjects = sorted(chosen)
        else:
            words = f"{_name(scope, key)} directs {len(chosen)} companies"
            subjects = [key, *sorted(chosen)]
        edges = [e for e in by_group[key] if e["src"] in chosen or e["dst"] in chosen]
        hits.append(Hit(rule.name, subjects, edges, words, float(len(chosen)), "hub",
                        {"center": key}))  # fmt: skip
    return hits


def structuring(rule: Rule, scope: Scope) -> list[Hit]:
    p = rule.params
    low = p["threshold"] * (1 - p["below"])
    by_payer: dict[str, list[tuple[date, Edge]]] = defaultdict(list)
    for e in scope.edges:
        day = _day(e.get("start_date"))
        amount = e.get("amount")
        if day is None or amount is None or (e.get("unit") or "") != p["currency"]:
            continue
        if low <= amount < p["threshold"]:
            by_payer[e["src"]].append((day, e))
    hits = []
    for payer, found in by_payer.items():
        found.sort(key=lambda x: (x[0], x[1]["id"]))
        start, best = 0, (0, 0)
        for end in range(len(found)):  # the longest run inside the window
            while (found[end][0] - found[start][0]).days > p["window_days"]:
                start += 1
            if end - start + 1 > best[1] - best[0]:
                best = (start, end + 1)
        run = [e for _, e in found[best[0] : best[1]]]
        if len(run) < p["at_least"]:
            continue
        total = sum(e["amount"] for e in run)
        first, last = run[0]["start_date"][:10], run[-1]["start_date"][:10]
        payees = sorted({e["dst"] for e in run})
        words = (f"{_name(scope, payer)} paid {len(run)} times just under "
                 f"{p['threshold']:,.0f} {p['currency']} between {first} and {last} "
                 f"({total:,.2f} {p['currency']} in all, to "
                 + ", ".join(_name(scope, x) for x in payees) + ")")  # fmt: skip
        hits.append(Hit(rule.name, [payer, *payees], run, words, total, "payments",
                        {"payer": payer, "count": len(run)}))  # fmt: skip
    return hits


def cycle(rule: Rule, scope: Scope) -> list[Hit]:
    p = rule.params
    graph = nx.MultiDiGraph()
    for e in scope.edges:
        if e["src"] != e["dst"]:
            graph.add_edge(e["src"], e["dst"], edge=e)
    simple = nx.DiGraph(graph)
    hits = []
    for nodes in nx.simple_cycles(simple, length_bound=p["max_hops"]):
        if len(nodes) < max(2, p["min_hops"]):
            continue
        steps = [(nodes[i], nodes[(i + 1) % len(nodes)]) for i in range(len(nodes))]
        chosen = _ordered(graph, steps, p) if p["dated"] else [
            min((d["edge"] for d in graph.get_edge_data(a, b).values()), key=lambda e: e["id"])
            for a, b in steps]  # fmt: skip
        if chosen is None:
            continue
        if p["dated"]:  # told in the order the money moved
            ring = [e["src"] for e in chosen]
        else:  # one rotation per cycle
            start = nodes.index(min(nodes))
            ring = nodes[start:] + nodes[:start]
        path = " → ".join(_name(scope, n) for n in [*ring, ring[0]])
        if p["dated"]:
            amounts = [e["amount"] for e in chosen if e.get("amount") is not None]
            unit = chosen[0].get("unit") or ""
            words = (f"money went round {len(ring)} subjects back to its origin between "
                     f"{chosen[0]['start_date'][:10]} and {chosen[-1]['start_date'][:10]}: "
                     f"{path}" + (f" (from {min(amounts):,.2f} to {max(amounts):,.2f} {unit} a "
                                  "step)" if amounts else ""))  # fmt: skip
        else:
            words = f"{len(ring)} subjects own each other in a circle: {path}"
        hits.append(Hit(rule.name, ring, chosen, words, float(len(ring)), "cycle"))
    return hits


def _ordered(graph: nx.MultiDiGraph, steps: list[tuple[str, str]],
             p: dict[str, Any]) -> list[Edge] | None:  # fmt: skip
    """One payment per step, each on or after the one before, all inside the window,
    starting anywhere on the cycle; the earliest such chain, or None."""
    n = len(steps)
    for shift in range(n):
        order = steps[shift:] + steps[:shift]
        options = [sorted((d["edge"] for d in graph.get_edge_data(a, b).values()
                           if _day(d["edge"].get("start_date"))),
                          key=lambda e: (e["start_date"], e["id"])) for a, b in order]  # fmt: skip
        for first in options[0]:
            chain, day0 = [first], _day(first["start_date"])
            assert day0 is not None
            for later in options[1:]:
                nxt = next((e for e in later if e["start_date"] >= chain[-1]["start_date"]), None)
                if nxt is None:
                    break
                chain.append(nxt)
            if len(chain) == n:
                last = _day(chain[-1]["start_date"])
                back, out = chain[-1].get("amount"), first.get("amount")
                returned = back is None or out is None or back >= p["min_return"] * out
                if last is not None and (last - day0).days <= p["window_days"] and returned:
                    return chain
    return None


def listed_nearby(rule: Rule, scope: Scope) -> list[Hit]:
    p = rule.params
    graph = nx.Graph()
    for e in scope.edges:
        if e["kind"] == "Ownership" and (e.get("share") or 0) < p["min_share"]:
            continue
        graph.add_edge(e["src"], e["dst"], edge=e)
    hits = []
    for listed, where in sorted(scope.listed.items()):
        if listed not in graph:
            continue
        reach = nx.single_source_shortest_path(graph, listed, cutoff=p["max_hops"])
        for subject, path in sorted(reach.items()):
            if subject == listed:
                continue
            edges = [graph.edges[a, b]["edge"] for a, b in pairwise(path)]
            chain = " - ".join(_name(scope, n) for n in path)
            words = (f"{_name(scope, subject)} is {len(path) - 1} step"
                     f"{'' if len(path) == 2 else 's'} of ownership or control from "
                     f"{_name(scope, listed)}, confirmed on the list {where}: {chain}")
            hits.append(Hit(rule.name, [subject, listed], edges, words,
                            1.0 / (len(path) - 1), "path", {"listed": listed}))  # fmt: skip
    return hits


def shared_contact(rule: Rule, scope: Scope, related: Callable[[str, str], bool]) -> list[Hit]:
    p = rule.params
    wanted = set(p["schemata"])
    groups: dict[str, set[str]] = defaultdict(set)
    by_value: dict[str, list[Edge]] = defaultdict(list)
    for e in scope.edges:
        ends = [x for x in (e["src"], e["dst"]) if not wanted or scope.schemata.get(x) in wanted]
        if len(ends) == 2:
            groups[e["origin"]].update(ends)
            by_value[e["origin"]].append(e)
    hits = []
    for value, members in sorted(groups.items()):
        if len(members) < p["at_least"]:
            continue
        ordered = sorted(members)
        if any(related(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]):
            continue
        kind = by_value[value][0]["kind"].removeprefix("same:")
        shown = value.split(":", 1)[-1]
        words = (f"{len(ordered)} subjects with no other relation give the same {kind}: "
                 f"{shown} (" + ", ".join(_name(scope, m) for m in ordered) + ")")  # fmt: skip
        hits.append(Hit(rule.name, ordered, by_value[value], words, float(len(ordered)),
                        "shared", {"value": value}))  # fmt: skip
    return hits


def detect(rule: Rule, scope: Scope, related: Callable[[str, str], bool]) -> list[Hit]:
    """The hits of ``rule`` in ``scope``, the strongest first."""
    wanted = set(rule.edges)
    edges = [e for e in scope.edges if e["kind"] in wanted]
    narrowed = Scope(edges, scope.schemata, scope.names, scope.listed)
    found: list[Hit]
    if rule.detector == "shared_contact":
        found = shared_contact(rule, narrowed, related)
    else:
        found = {"hub": hub, "structuring": structuring, "cycle": cycle,
                 "listed_nearby": listed_nearby}[rule.detector](rule, narrowed)  # fmt: skip
    return sorted(found, key=lambda h: (-h.weight, h.key))
