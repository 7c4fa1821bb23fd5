"""Red flags through the audited session: rules (YAML, checked when loaded) run over
the edges of a scope, their hits kept to dismiss with a reason or add to a case.

A run is a consultation under a purpose (a case's scope: that case), recorded with the
rule and scope (``flags.run``); it reads only the edges of the kinds its rules name,
of the sources the caller may see: for ``source:NAME`` that source's edges, for
``case:ID`` the neighbourhood of the case's subjects (as far as the rule reaches).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from casegraph.access import roles
from casegraph.errors import InvalidInput, NotFound, not_registered
from casegraph.graph.subgraph import subject_nodes
from casegraph.leads import flags as detectors
from casegraph.leads.rules import BUILT_IN, Rule, load_rules
from casegraph.model.clock import utcnow
from casegraph.model.visible import Visible
from casegraph.model.written import visible_length
from casegraph.services.leads import parse_scope
from casegraph.store import graph_store
from casegraph.store import leads as store
from casegraph.store.graph_store import EdgeFilter

if TYPE_CHECKING:
    from casegraph.service import Session

HIT_EDGE = ("id", "kind", "src", "dst", "origin", "source", "source2", "start_date",
            "amount", "unit", "share", "label")  # fmt: skip
MAX_NODES = 20_000  # a case's neighbourhood read for its rules


class FlagService:
    def __init__(self, session: Session) -> None:
        self.s = session

    def rules(self) -> dict[str, Rule]:
        """The rules of the package and of the workspace (``<data dir>/rules``)."""
        settings = self.s.workspace.settings
        return load_rules([BUILT_IN, settings.data_dir / "rules"],
                          settings.protected_attributes)  # fmt: skip

    def rule(self, name: str) -> Rule:
        found = self.rules().get(name)
        if found is None:
            raise NotFound(f"no rule {name!r}; see `casegraph flags rules`")
        return found

    def run(self, scope: str, rule: str | None = None) -> dict[str, Any]:
        """Run one rule (or all) over a scope; the hits found per rule."""
        self.s.require(roles.RESOLVE, "run red-flag rules")
        kind, value = parse_scope(scope)
        chosen = [self.rule(rule)] if rule else list(self.rules().values())
        case = value if kind == "case" else None
        visible = self.s.consult("flags.run", {"scope": scope, "rules": [r.name for r in chosen]},
                                 case=case)  # fmt: skip
        if kind == "source" and not visible.sees(value):
            raise not_registered(value)
        in_case = self.s.cases.subject_ids(case) if case is not None else []  # members only
        now = utcnow()
        found: dict[str, int] = {}
        for each in chosen:
            edges = self._edges(visible, kind, value, each, in_case)
            ends = {e[k] for e in edges for k in ("src", "dst")}
            nodes = subject_nodes(self.s.conn, ends, visible)
            listed = (store.confirmed_leads(self.s.conn, visible)
                      if each.detector == "listed_nearby" else {})  # fmt: skip
            scope_ = detectors.Scope(
                edges, {n: v["schema"] for n, v in nodes.items()},
                {n: v["caption"] for n, v in nodes.items()}, listed)  # fmt: skip
            hits = detectors.detect(each, scope_, self._related(visible))
            rows = [self._row(h, scope, now) for h in hits]
            store.save_hits(self.s.conn, each.name, scope, rows, now)
            found[each.name] = len(rows)
        self.s.record("flags.done", {"scope": scope, "found": found})
        return {"scope": scope, "found": found}

    def _edges(
        self, visible: Visible, kind: str, value: str, rule: Rule, in_case: Sequence[str]
    ) -> list[dict[str, Any]]:
        where = EdgeFilter(visible, rule.edges)
        conn = self.s.conn
        if kind == "source":
            return [dict(r._mapping) for r in graph_store.iter_edges(conn, where, value)]
        reach = int(rule.params.get("max_hops", 2)) if rule.detector != "hub" else 2
        seen = set(in_case)
        frontier, out = set(seen), {}
        for _ in range(max(reach, 1)):
            if not frontier or len(seen) > MAX_NODES:
                break
            rows = graph_store.touching(conn, sorted(frontier), where)
            frontier = set()
            for r in rows:
                out[r.id] = dict(r._mapping)
                for end in (r.src, r.dst):
                    if end not in seen:
                        seen.add(end)
                        frontier.add(end)
        return list(out.values())

    def _related(self, visible: Visible) -> Any:
        conn = self.s.conn
        where = EdgeFilter(visible)

        def related(a: str, b: str) -> bool:
            rows = graph_store.among(conn, [a, b], where)
            return any(not r.kind.startswith("same:") for r in rows)

        return related

    @staticmethod
    def _row(hit: detectors.Hit, scope: str, now: Any) -> dict[str, Any]:
        edges = [{k: e.get(k) for k in HIT_EDGE} for e in hit.edges]
        sources = sorted({s for e in hit.edges for s in (e["source"], e["source2"]) if s})
        return {"id": hit.key, "rule": hit.rule, "scope": scope,
                "subjects": json.dumps(hit.subjects), "edges": json.dumps(edges, default=str),
                "words": hit.words, "weight": hit.weight, "shape": hit.shape,
                "sources": json.dumps(sources), "active": 1, "status": "open", "reason": None,
                "decided_by": None, "decided_at": None, "case_id": None, "found_at": now,
                "updated_at": now}  # fmt: skip

    def hits(
        self,
        rule: str | None = None,
        status: str | None = None,
        case_id: str | None = None,
        include_inactive: bool = False,
    ) -> list[dict[str, Any]]:
        """The hits the reader may see, strongest first, with their subjects' names."""
        if status is not None and status not in ("open", "dismissed"):
            raise InvalidInput(f"a hit's status is open or dismissed, not {status!r}")
        refs = {k: v for k, v in {"rule": rule, "status": status, "case": case_id}.items() if v}
        visible = self.s.consult("flags.list", refs, case=case_id)
        rows = list(store.hit_rows(self.s.conn, visible, rule, status, case_id,
                                   not include_inactive))  # fmt: skip
        return self._public(visible, rows)

    def open_counts(self) -> dict[str, int]:
        """Open hits the reader may see, by rule (counts: no subject is named)."""
        visible = self.s.consult("flags.list", {"status": "open", "counts": True})
        return store.hit_counts(self.s.conn, visible)

    def _public(self, visible: Visible, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = {s for r in rows for s in json.loads(r["subjects"])}
        nodes = subject_nodes(self.s.conn, ids, visible)
        out = []
        for r in rows:
            subjects = [nodes[s] for s in json.loads(r["subjects"])]
            out.append({"id": r["id"], "rule": r["rule"], "scope": r["scope"],
                        "subjects": subjects, "edges": json.loads(r["edges"]),
                        "words": r["words"], "weight": r["weight"], "shape": r["shape"],
                        "active": bool(r["active"]), "status": r["status"],
                        "reason": r["reason"], "decided_by": r["decided_by"],
                        "decided_at": r["decided_at"], "case": r["case_id"],
                        "found_at": r["found_at"]})  # fmt: skip
        return out

    def _hit(self, hit_id: str, action: str, refs: dict[str, Any],
             case: str | None = None) -> dict[str, Any]:  # fmt: skip
        visible = self.s.consult(action, {"hit": hit_id, **refs}, case=case)
        row = store.get_hit(self.s.conn, visible, hit_id)
        if row is None:
            raise NotFound(f"no red-flag hit {hit_id!r}")
        return row

    def decide(self, hit_id: str, decision: str, reason: str = "") -> dict[str, Any]:
        """Dismiss a hit (with a reason) or reopen it; it holds across re-runs."""
        self.s.require(roles.RESOLVE, "decide on red flags")
        if decision not in ("dismiss", "reopen"):
            raise InvalidInput(f"a decision is dismiss or reopen, not {decision!r}")
        if decision == "dismiss" and visible_length(reason) < 5:
            raise InvalidInput("say why the hit is dismissed (a reason of 5+ characters)")
        self._hit(hit_id, "flag.decide", {"decision": decision, "reason": reason or None})
        store.set_hit(
            self.s.conn,
            hit_id,
            status="dismissed" if decision == "dismiss" else "open",
            reason=reason or None,
            decided_by=self.s.ctx.actor,
            decided_at=utcnow(),
        )
        return self.get(hit_id)

    def get(self, hit_id: str) -> dict[str, Any]:
        visible = self.s.consult("flag.show", {"hit": hit_id})
        row = store.get_hit(self.s.conn, visible, hit_id)
        if row is None:
            raise NotFound(f"no red-flag hit {hit_id!r}")
        return self._public(visible, [row])[0]

    def link(self, hit_id: str, case_id: str) -> dict[str, Any]:
        """Add a hit to a case: its subjects join the case (as "other") if not in it."""
        self.s.require(roles.MANAGE_CASES, "add red flags to cases")
        row = self._hit(hit_id, "flag.link", {"case": case_id}, case=case_id)
        there = set(self.s.cases.subject_ids(case_id))
        for subject in json.loads(row["subjects"]):
            if subject not in there:
                self.s.cases.link_subject(
                    case_id, subject, "other", f"Red flag ({row['rule']}): {row['words'][:300]}"
                )
        store.set_hit(self.s.conn, hit_id, case_id=case_id)
        return self.get(hit_id)
